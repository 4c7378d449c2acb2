/**
 * singularity's and apptainer's keyring files: binary OpenPGP transferable keys, concatenated
 * (`pgp-public`, `pgp-secret`) in `$SINGULARITY_SYPGPDIR` or `~/.singularity/sypgp` (apptainer:
 * `$APPTAINER_KEYSDIR` / `--keysdir`), plus the global public keyring. Every write is atomic
 * (temporary file, fsync, rename) under a lock file, so concurrent writers lose no key and a crash
 * never leaves a truncated keyring.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { isSifError, sifError } from '../errors.js';
import { lockFile } from '../io/lock.js';
import { readPgpKeys, type PgpKey } from './pgp.js';
import { concatBytes } from '../hash/index.js';

/** Where the keyrings are. */
export interface KeyringPaths {
  /** The directory of the local keyrings. */
  dir: string;
  /** `<dir>/pgp-public`. */
  public: string;
  /** `<dir>/pgp-secret`. */
  secret: string;
  /** The global public keyring. */
  global: string;
}

/** Options for {@link keyringPaths}. */
export interface KeyringLocation {
  /** Explicit keys directory (apptainer's `--keysdir`). */
  keysdir?: string;
  /** Explicit global keyring path. */
  globalPath?: string;
}

/** The default global keyring (SingularityCE with the default sysconfdir). */
export const DEFAULT_GLOBAL_KEYRING = '/usr/local/etc/singularity/global-pgp-public';

/**
 * Resolves keyring paths as singularity and apptainer do.
 *
 * @param env - environment
 * @param loc - explicit locations
 * @returns the paths
 */
export function keyringPaths(env: Record<string, string | undefined>, loc: KeyringLocation = {}): KeyringPaths {
  const dir = loc.keysdir ?? env.APPTAINER_KEYSDIR ?? env.SINGULARITY_SYPGPDIR ?? join(env.HOME ?? homedir(), '.singularity', 'sypgp');
  return {
    dir,
    public: join(dir, 'pgp-public'),
    secret: join(dir, 'pgp-secret'),
    global: loc.globalPath ?? env.SIFKIT_GLOBAL_KEYRING ?? DEFAULT_GLOBAL_KEYRING,
  };
}

/**
 * Reads a keyring file; a missing or empty file is an empty keyring.
 *
 * @param path - the file
 * @returns the keys in file order
 * @throws SifError `KEY_INVALID` for a corrupt file
 */
export async function readKeyring(path: string): Promise<PgpKey[]> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  if (bytes.length === 0) return [];
  return readPgpKeys(bytes, path);
}

/**
 * Serialises keys as a keyring file: binary transferable keys, concatenated. Public keyrings hold
 * public keys only; secret keyrings hold the secret packets as they are (still passphrase-protected).
 *
 * @param keys - the keys
 * @param secret - secret keyring
 * @returns the bytes
 */
export function encodeKeyring(keys: readonly PgpKey[], secret: boolean): Uint8Array {
  return concatBytes(keys.map((k) => (secret ? k.write() : k.toPublic().write()) as Uint8Array));
}

/** Warnings the CLI prints (singularity's wording). */
export type KeyringWarn = (msg: string) => void;

/**
 * Makes the keys directory (0700), fixing a wrong mode with singularity's warning.
 *
 * @param dir - the directory
 * @param warn - where warnings go
 */
export async function ensureKeysDir(dir: string, warn: KeyringWarn = () => undefined): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await stat(dir);
  const mode = st.mode & 0o777;
  if (mode !== 0o700) {
    warn(`Directory mode (${mode.toString(8)}) on ${dir} needs to be 700, fixing that...`);
    await chmod(dir, 0o700);
  }
}

const LOCK_WAIT_MS = 15_000;

/**
 * Locks a keyring for an update: a kernel lock (see io/lock.ts) on `<keyring>.lock`, a file that is
 * created once (0600) and never removed, so there is no stale lock to guess about — the lock dies with
 * its process.
 */
async function lock(path: string): Promise<() => Promise<void>> {
  const lockPath = `${path}.lock`;
  const fh = await open(lockPath, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  try {
    await lockFile(fh.fd, path, { shared: false, timeoutMs: LOCK_WAIT_MS });
  } catch (e) {
    await fh.close();
    throw isSifError(e, 'IMAGE_BUSY') ? sifError('IO_ERROR', `${path}: keyring is locked by another process (${lockPath})`) : e;
  }
  return () => fh.close();
}

/** Options for {@link updateKeyring}. */
export interface UpdateKeyringOptions {
  /** Mode of the keyring file: 0600 (default) for personal keyrings, 0644 for the global one. */
  mode?: number;
}

/**
 * Changes a keyring file atomically under its lock: reads the current keys, applies `fn`, and writes
 * the result to a temporary file that is fsynced and renamed over the keyring (mode 0600, or
 * `opts.mode`). If `fn` or
 * any write fails, the keyring is left exactly as it was.
 *
 * @param path - the keyring file
 * @param secret - whether it is a secret keyring
 * @param fn - computes the new key list from the current one
 * @param opts - the file's mode
 * @returns what `fn` returned
 */
export async function updateKeyring<T>(
  path: string,
  secret: boolean,
  fn: (keys: PgpKey[]) => Promise<{ keys: PgpKey[]; result: T }> | { keys: PgpKey[]; result: T },
  opts: UpdateKeyringOptions = {},
): Promise<T> {
  const mode = opts.mode ?? 0o600;
  const dirMode = mode & 0o044 ? 0o755 : 0o700;
  // A directory made here gets its mode exactly (a strict umask must not hide a world-readable keyring).
  if ((await mkdir(dirname(path), { recursive: true, mode: dirMode })) !== undefined) await chmod(dirname(path), dirMode);
  const unlock = await lock(path);
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    const { keys, result } = await fn(await readKeyring(path));
    const fh = await open(tmp, 'wx', 0o600);
    try {
      if (mode !== 0o600) await fh.chmod(mode); // exactly, whatever the umask
      await fh.writeFile(encodeKeyring(keys, secret));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    const d = await open(dirname(path), 'r').catch(() => undefined);
    await d?.sync().catch(() => undefined);
    await d?.close();
    return result;
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    await unlock();
  }
}

/**
 * Fixes a keyring file's mode to 0600 when it exists.
 *
 * @param path - the file
 */
export async function fixKeyringMode(path: string): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (st && (st.mode & 0o777) !== 0o600) await chmod(path, 0o600);
}
