/**
 * Key material for the CLI: reading `--key` files (OpenPGP or PEM), and passphrases (terminal prompt,
 * a line from a non-terminal stdin, `SIFKIT_PASSPHRASE`, or `--passphrase-file`).
 *
 * @module
 */
import { readSmallFile } from '../io/node.js';
import { keyringPaths, readKeyring } from '../keys/keyring.js';
import { sifError } from '../errors.js';
import { isPem, pemIsEncrypted, readPemPrivateKey, readPemPublicKey, type PemPrivateKey, type PemPublicKey } from '../keys/pem.js';
import { decryptPgpKey, readPgpKeys, type KeyringEntry, type PgpPrivateKey } from '../keys/pgp.js';
import type { CliIO } from './io.js';
import { Prompter } from './prompt.js';

/** Verification key material from `--key` files. */
export interface VerifyKeys {
  /** OpenPGP keys. */
  pgp: KeyringEntry[];
  /** PEM keys. */
  pem: PemPublicKey[];
}

/**
 * Reads every `--key` file: PEM public keys (DSSE) and OpenPGP keys (armored or binary, any number).
 *
 * @param paths - the files
 * @returns the keys
 */
export async function readVerifyKeys(paths: string[]): Promise<VerifyKeys> {
  const out: VerifyKeys = { pgp: [], pem: [] };
  for (const path of paths) {
    const bytes = await readSmallFile(path);
    if (isPem(bytes)) out.pem.push(await readPemPublicKey(bytes, path));
    else for (const key of await readPgpKeys(bytes, path)) out.pgp.push({ key: key.isPrivate() ? key.toPublic() : key, source: 'local', path });
  }
  return out;
}

/** A signing key from `--key`. */
export type SigningKey = { kind: 'pgp'; key: PgpPrivateKey; path: string } | { kind: 'pem'; key: PemPrivateKey; path: string };

/** Where a passphrase may come from. */
export interface PassphraseSource {
  /** `--passphrase-file`. */
  file?: string;
}

/**
 * Gets a passphrase: `--passphrase-file`, then `SIFKIT_PASSPHRASE`, then a hidden prompt on a
 * terminal, else one line from stdin (as singularity reads it in pipelines).
 *
 * @param io - the process
 * @param src - flag values
 * @returns the passphrase
 */
export async function getPassphrase(io: CliIO, src: PassphraseSource, prompter: Prompter = new Prompter(io)): Promise<string> {
  if (src.file !== undefined) return new TextDecoder().decode(await readSmallFile(src.file)).replace(/\r?\n$/, '');
  const env = io.env.SIFKIT_PASSPHRASE;
  if (env !== undefined) return env;
  if (!io.stdin) throw sifError('BAD_PASSPHRASE', 'no passphrase available');
  return prompter.ask('Enter key passphrase : ', true);
}

/**
 * A signing key from bytes (a key file or a keyring entry), decrypted with a passphrase if needed.
 *
 * @param bytes - OpenPGP or PEM
 * @param path - where it came from
 * @param io - the process
 * @param pass - passphrase sources
 * @param prompter - shared prompter (answers on stdin)
 * @returns the key
 */
export async function signingKeyFrom(bytes: Uint8Array, path: string, io: CliIO, pass: PassphraseSource, prompter?: Prompter): Promise<SigningKey> {
  if (isPem(bytes)) {
    const passphrase = pemIsEncrypted(bytes) ? await getPassphrase(io, pass, prompter) : undefined;
    return { kind: 'pem', key: await readPemPrivateKey(bytes, passphrase, path), path };
  }
  const keys = await readPgpKeys(bytes, path);
  const priv = keys.find((k) => k.isPrivate()) as PgpPrivateKey | undefined;
  if (!priv) throw sifError('KEY_INVALID', `${path}: no private key found`);
  return unlockPgpKey(priv, path, io, pass, prompter);
}

/**
 * An OpenPGP private key ready to sign: decrypted with a passphrase when it is protected.
 *
 * @param priv - the key (from a file or a keyring)
 * @param path - where it came from
 * @param io - the process
 * @param pass - passphrase sources
 * @param prompter - shared prompter (answers on stdin)
 * @returns the key
 */
export async function unlockPgpKey(priv: PgpPrivateKey, path: string, io: CliIO, pass: PassphraseSource, prompter?: Prompter): Promise<SigningKey> {
  if (priv.isDecrypted()) return { kind: 'pgp', key: priv, path };
  return { kind: 'pgp', key: await decryptPgpKey(priv, await getPassphrase(io, pass, prompter)), path };
}

/**
 * The keys `verify` uses when none are given: singularity's global keyring, then the user's.
 *
 * @param io - the process
 * @param keysdir - `--keysdir`
 * @returns the entries
 */
export async function keyringFromDefaults(io: CliIO, keysdir?: string): Promise<KeyringEntry[]> {
  const p = keyringPaths(io.env, keysdir ? { keysdir } : {});
  const out: KeyringEntry[] = [];
  for (const [path, source] of [
    [p.global, 'global'],
    [p.public, 'local'],
  ] as const) {
    for (const key of await readKeyring(path)) out.push({ key, source, path });
  }
  return out;
}
