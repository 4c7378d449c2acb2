/**
 * `sifkit key`: singularity's `key newpair | list | import | export | remove` on the same keyring
 * files (`~/.singularity/sypgp`, `$SINGULARITY_SYPGPDIR`, apptainer's `--keysdir`), offline.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { readSmallFile } from '../../io/node.js';
import { isSifError, sifError } from '../../errors.js';
import {
  ensureKeysDir,
  fixKeyringMode,
  keyringPaths,
  readKeyring,
  updateKeyring,
  type KeyringPaths,
} from '../../keys/keyring.js';
import { loadOpenPGP, readPgpKeys, type PgpKey, type PgpPrivateKey } from '../../keys/pgp.js';
import { parseFlags, parseUint, type Parsed } from '../args.js';
import { EXIT, UsageError, errorText, writeAll, type CliIO } from '../io.js';
import { goLocalTime } from '../localtime.js';
import { log } from '../log.js';
import { Prompter } from '../prompt.js';
import { tabwrite } from '../text.js';

/** Help text. */
export const HELP = `Manage OpenPGP keys

Usage:
  sifkit key [command]

Available Commands:
  export      Export a public or private key into a specific file
  import      Import a local key into the local or global keyring
  list        List keys in your local or in the global keyring
  newpair     Create a new key pair
  pull        Download a public key from a key server
  push        Upload a public key to a key server
  remove      Remove a local public key from your public keyring
  search      Search for keys on a key server

Flags:
  -d, --keysdir string         keys directory [default: $APPTAINER_KEYSDIR, $SINGULARITY_SYPGPDIR or ~/.singularity/sypgp]
      --global-keyring string  global public keyring [default: $SIFKIT_GLOBAL_KEYRING or /usr/local/etc/singularity/global-pgp-public]
  -h, --help                   help for key

Examples:
  sifkit key newpair -N "Jane Doe" -E jane@example.org -C "build keys" -P "$PASS" -b 4096
  sifkit key list --secret
  sifkit key export --index 0 --armor public.asc
  sifkit key import somebody.asc
  sifkit key remove 8883491F4268F173C6E5DC49EDECE4F3F38D871E
`;

/** Flags every key subcommand takes. */
export const COMMON = {
  keysdir: { type: 'string', short: 'd' },
  'global-keyring': { type: 'string' },
  global: { type: 'boolean', short: 'g' },
  secret: { type: 'boolean', short: 's' },
  private: { type: 'boolean' },
  style: { type: 'string' },
} as const;

/**
 * The keyring files for the flags and environment.
 *
 * @param io - the process
 * @param v - parsed flags
 * @returns the paths
 */
export function paths(io: CliIO, v: Parsed['values']): KeyringPaths {
  return keyringPaths(io.env, {
    ...(typeof v.keysdir === 'string' ? { keysdir: v.keysdir } : {}),
    ...(typeof v['global-keyring'] === 'string' ? { globalPath: v['global-keyring'] } : {}),
  });
}

/** A user ID split as Go's packet.UserId parses it: name, comment, email. */
function uidParts(uid: string): { name: string; comment: string; email: string } {
  const m = /^(.*?)\s*(?:\((.*?)\))?\s*(?:<(.*?)>)?\s*$/.exec(uid);
  return { name: m?.[1] ?? uid, comment: m?.[2] ?? '', email: m?.[3] ?? '' };
}

function bitLength(k: PgpKey): number {
  const info = k.getAlgorithmInfo() as { bits?: number; curve?: string };
  if (info.bits) return info.bits;
  const byCurve: Record<string, number> = { ed25519Legacy: 256, ed25519: 256, curve25519Legacy: 256, nistP256: 256, nistP384: 384, nistP521: 521, ed448: 448 };
  return byCurve[info.curve ?? ''] ?? 0;
}

function created(k: PgpKey, io: CliIO): string {
  return goLocalTime(Math.floor(k.getCreationTime().getTime() / 1000), io.env);
}

/**
 * The SingularityCE/PRO 3.x listing (also the `sign` key chooser): `0) U: Name (Comment) <email>`,
 * `   C:`, `   F:`, `   L:`, `   --------`.
 */
export function listOld(keys: readonly PgpKey[], io: CliIO): string {
  let s = '';
  keys.forEach((k, i) => {
    for (const u of k.users) {
      if (!u.userID) continue;
      const p = uidParts(u.userID.userID);
      s += `${i}) U: ${p.name} (${p.comment}) <${p.email}>\n`;
    }
    s += `   C: ${created(k, io)}\n   F: ${k.getFingerprint().toUpperCase()}\n   L: ${bitLength(k)}\n   --------\n`;
  });
  return s;
}

/** The SingularityCE 4.x / Apptainer ≥ 1.3 listing (tabwriter, one block per key). */
export function listNew(keys: readonly PgpKey[], io: CliIO): string {
  let s = '';
  keys.forEach((k, i) => {
    let block = '';
    let first = true;
    const row = (label: string, value: string): void => {
      block += `${first ? `${i})` : ''}\t${label}\t${value}\n`;
      first = false;
    };
    for (const u of k.users) {
      if (!u.userID) continue;
      const p = uidParts(u.userID.userID);
      row('User:', `${p.name}${p.comment ? ` (${p.comment})` : ''}${p.email ? ` <${p.email}>` : ''}`);
    }
    row('Creation time:', created(k, io));
    row('Fingerprint:', k.getFingerprint().toUpperCase());
    row('Length (in bits):', String(bitLength(k)));
    s += tabwrite(block, 2) + '\n';
  });
  return s;
}

async function newpair(args: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(args, {
    ...COMMON,
    name: { type: 'string', short: 'N' },
    email: { type: 'string', short: 'E' },
    comment: { type: 'string', short: 'C' },
    password: { type: 'string', short: 'P' },
    'bit-length': { type: 'string', short: 'b' },
    push: { type: 'boolean', short: 'U' },
  });
  if (values.help) return help(io, 'newpair');
  const p = paths(io, values);
  const ask = new Prompter(io);
  const fail = (what: string, e: unknown): number => {
    log(io, 'ERROR', `${what}: ${errorText(e)}`);
    return 2;
  };
  let name: string, email: string, comment: string, password: string;
  const bits = values['bit-length'] === undefined ? 4096 : parseUint(values['bit-length'] as string, 'invalid argument for "--bit-length" flag');
  if (bits < 2048 || bits > 16384) throw new UsageError(`--bit-length: ${bits} is not a supported RSA key size (2048 to 16384 bits)`);
  try {
    name = (values.name as string | undefined) ?? (await ask.ask('Enter your name (e.g., John Doe) : '));
    email = (values.email as string | undefined) ?? (await ask.ask('Enter your email address (e.g., john.doe@example.com) : '));
    comment = (values.comment as string | undefined) ?? (await ask.ask('Enter optional comment (e.g., development keys) : '));
    if (values.password !== undefined) password = values.password as string;
    else {
      password = '';
      for (let tries = 0; ; tries++) {
        if (tries === 3) throw new Error('too many retries while getting a passphrase');
        const a = await ask.ask('Enter a passphrase : ', true);
        const b = await ask.ask('Retype your passphrase : ', true);
        if (a === b) {
          password = a;
          break;
        }
        log(io, 'WARNING', 'passphrases do not match');
      }
      if (password === '') {
        const yn = await ask.ask('WARNING: if there is no password set, your key is not secure. Do you want to continue? [y/n] ');
        if (!/^y(es)?$/i.test(yn.trim())) throw new Error('empty passphrase');
      }
    }
    if (name.trim() === '') throw new Error('name is required');
  } catch (e) {
    return fail('could not collect user input', e);
  }
  try {
    io.stdout.write('Generating Entity and OpenPGP Key Pair... ');
    const openpgp = await loadOpenPGP();
    const { privateKey } = await openpgp.generateKey({
      type: 'rsa',
      rsaBits: bits,
      userIDs: [{ name, ...(email ? { email } : {}), ...(comment ? { comment } : {}) }],
      ...(password ? { passphrase: password } : {}),
      keyExpirationTime: 0,
      format: 'object',
      config: { preferredHashAlgorithm: openpgp.enums.hash.sha384, v6Keys: false },
    });
    await ensureKeysDir(p.dir, (m) => log(io, 'WARNING', m));
    const fp = privateKey.getFingerprint();
    const add = (keys: PgpKey[]): { keys: PgpKey[]; result: void } => {
      if (keys.some((k) => k.getFingerprint() === fp)) throw new Error(`the key with fingerprint ${fp.toUpperCase()} already belongs to the keyring`);
      return { keys: [...keys, privateKey], result: undefined };
    };
    await updateKeyring(p.secret, true, add);
    await updateKeyring(p.public, false, add);
    io.stdout.write('done\n');
    io.stdout.write('NOT pushing newly created key to keystore\n');
    return EXIT.OK;
  } catch (e) {
    io.stdout.write('\n');
    return fail('creating newpair failed', e);
  }
}

async function list(args: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(args, COMMON);
  if (values.help) return help(io, 'list');
  const p = paths(io, values);
  const secret = values.secret === true || values.private === true;
  if (secret && values.global) {
    log(io, 'FATAL', "While listing keys: could not list private keys: global keyring doesn't contain private keys");
    return EXIT.FATAL;
  }
  const path = values.global ? p.global : secret ? p.secret : p.public;
  let keys: PgpKey[];
  try {
    if (!values.global) {
      await ensureKeysDir(p.dir, (m) => log(io, 'WARNING', m));
      await fixKeyringMode(path);
    }
    keys = await readKeyring(path);
  } catch (e) {
    log(io, 'FATAL', `While listing keys: ${errorText(e)}`);
    return EXIT.FATAL;
  }
  const style = (values.style as string | undefined) ?? 'ce3';
  await writeAll(io.stdout, `${secret ? 'Private' : 'Public'} key listing (${path}):\n\n`);
  await writeAll(io.stdout, style === 'ce3' ? listOld(keys, io) : listNew(keys, io));
  return EXIT.OK;
}

async function importKeys(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(args, { ...COMMON, 'new-password': { type: 'boolean' } });
  if (values.help) return help(io, 'import');
  if (positionals.length !== 1) throw new UsageError(`accepts 1 arg(s), received ${positionals.length}`);
  const file = positionals[0]!;
  const p = paths(io, values);
  const ask = new Prompter(io);
  const fail = (e: unknown): number => {
    log(io, 'ERROR', `key import command failed: ${errorText(e)}`);
    return 2;
  };
  let keys: PgpKey[];
  try {
    keys = await readPgpKeys(await readSmallFile(file), file);
  } catch (e) {
    const text = errorText(e);
    return fail(`unable to get entity from: ${file}: ${text.startsWith(`${file}: `) ? text.slice(file.length + 2) : text}`);
  }
  try {
    const openpgp = await loadOpenPGP();
    if (!values.global) await ensureKeysDir(p.dir, (m) => log(io, 'WARNING', m));
    for (const key of keys) {
      const fp = key.getFingerprint().toUpperCase();
      const addTo = (path: string, secret: boolean, k: PgpKey): Promise<void> =>
        updateKeyring(
          path,
          secret,
          (cur) => {
            if (cur.some((c) => c.getFingerprint().toUpperCase() === fp)) throw new Error(`the key with fingerprint ${fp} already belongs to the keyring`);
            return { keys: [...cur, k], result: undefined };
          },
          keyringMode(path === p.global),
        );
      if (key.isPrivate() && !values.global) {
        let priv = key as PgpPrivateKey;
        if (!priv.isDecrypted()) {
          const pass = await ask.ask('Enter your key password : ', true);
          try {
            priv = await openpgp.decryptKey({ privateKey: priv, passphrase: pass });
          } catch (e) {
            throw sifError('BAD_PASSPHRASE', `openpgp: invalid data: private key checksum failure (${errorText(e)})`);
          }
          if (!values['new-password']) priv = key as PgpPrivateKey; // store as it was, still encrypted
        }
        if (values['new-password']) {
          const a = await ask.ask('Enter a new password for this key : ', true);
          const b = await ask.ask('Retype your passphrase : ', true);
          if (a !== b) throw new Error('passphrases do not match');
          priv = a ? await openpgp.encryptKey({ privateKey: priv, passphrase: a }) : priv;
        }
        await addTo(p.secret, true, priv);
        io.stdout.write(`Key with fingerprint ${fp} successfully added to the private keyring\n`);
      }
      await addTo(values.global ? p.global : p.public, false, key.isPrivate() ? key.toPublic() : key);
      io.stdout.write(`Key with fingerprint ${fp} successfully added to the ${values.global ? 'global ' : ''}public keyring\n`);
    }
    return EXIT.OK;
  } catch (e) {
    return fail(e);
  }
}

async function exportKey(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    ...COMMON,
    armor: { type: 'boolean', short: 'a' },
    index: { type: 'string' },
    fingerprint: { type: 'string' },
  });
  if (values.help) return help(io, 'export');
  if (positionals.length !== 1) throw new UsageError(`accepts 1 arg(s), received ${positionals.length}`);
  if (typeof values.index === 'string' && typeof values.fingerprint === 'string') throw new UsageError('--index and --fingerprint are mutually exclusive');
  const out = positionals[0]!;
  const p = paths(io, values);
  const secret = values.secret === true || values.private === true;
  const fail = (e: unknown): number => {
    log(io, 'ERROR', `key export command failed: ${errorText(e)}`);
    return 10;
  };
  try {
    const keys = await readKeyring(values.global ? p.global : secret ? p.secret : p.public);
    if (keys.length === 0) throw new Error('keyring is empty');
    let key: PgpKey | undefined;
    if (typeof values.fingerprint === 'string') {
      const want = values.fingerprint.replace(/^0x/i, '').toUpperCase();
      key = keys.find((k) => k.getFingerprint().toUpperCase() === want);
      if (!key) throw new Error(`no key matching fingerprint ${want}`);
    } else {
      let idx: number;
      if (typeof values.index === 'string') idx = parseUint(values.index, 'invalid argument for "--index" flag');
      else {
        await writeAll(io.stdout, listNew(keys, io));
        const a = await new Prompter(io).ask(`Enter # of ${secret ? 'private' : 'public'} key to use : `);
        if (!/^\d+$/.test(a.trim())) throw new Error('invalid choice');
        idx = Number(a.trim());
      }
      key = keys[idx];
      if (!key) throw new Error('index out of range');
    }
    const data = secret ? key.armor() : key.toPublic().armor();
    const bytes = values.armor ? new TextEncoder().encode(data) : (secret ? key.write() : key.toPublic().write()) as Uint8Array;
    const tmp = `${out}.tmp-${randomBytes(6).toString('hex')}`;
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, out).catch(async (e) => {
      await rm(tmp, { force: true });
      throw e;
    });
    io.stdout.write(`${secret ? 'Private' : 'Public'} key with fingerprint ${key.getFingerprint().toUpperCase()} correctly exported to file: ${out}\n`);
    return EXIT.OK;
  } catch (e) {
    return fail(e);
  }
}

/** singularity writes the global keyring 0644 so that every user can verify with it; personal ones 0600. */
/**
 * File mode of a keyring sifkit writes: the global one is world-readable, personal ones are not.
 *
 * @param global - the global keyring
 * @returns options for updateKeyring
 */
export const keyringMode = (global: boolean): { mode: number } => ({ mode: global ? 0o644 : 0o600 });

async function remove(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(args, COMMON);
  if (values.help) return help(io, 'remove');
  if (positionals.length !== 1) throw new UsageError(`accepts 1 arg(s), received ${positionals.length}`);
  const want = positionals[0]!.replace(/^0x/i, '').toUpperCase();
  const p = paths(io, values);
  const secret = values.secret === true || values.private === true;
  const path = values.global ? p.global : secret ? p.secret : p.public;
  try {
    await updateKeyring(
      path,
      secret,
      (keys) => {
        const rest = keys.filter((k) => k.getFingerprint().toUpperCase() !== want);
        if (rest.length === keys.length) throw sifError('KEY_NOT_FOUND', 'no key matching given fingerprint found');
        return { keys: rest, result: undefined };
      },
      keyringMode(values.global === true),
    );
    return EXIT.OK;
  } catch (e) {
    log(io, 'FATAL', `Unable to remove ${secret ? 'private' : 'public'} key: ${isSifError(e) ? e.message : errorText(e)}`);
    return EXIT.FATAL;
  }
}

const SUB_HELP: Record<string, string> = {
  newpair: `Create a new key pair

Usage:
  sifkit key newpair [-N name] [-E email] [-C comment] [-P password] [-b bits]

Flags:
  -b, --bit-length string  specify key bit length (default 4096)
  -C, --comment string     key comment
  -E, --email string       key owner's email address
  -N, --name string        key owner's name
  -P, --password string    key passphrase
  -d, --keysdir string     keys directory
  -h, --help               help for newpair

Missing values are asked for on a terminal, or read one per line from stdin otherwise.
sifkit is offline: new keys are never pushed to a keystore.
`,
  list: `List keys in your local or in the global keyring

Usage:
  sifkit key list [-s|--secret] [-g|--global] [--style ce3|ce4]

Flags:
  -g, --global           list keys in the global keyring
  -s, --secret           list private keys instead of the default which displays public ones
      --style string     ce3 (U:/C:/F:/L:, default) or ce4 (SingularityCE 4 / Apptainer 1.3 table)
  -d, --keysdir string   keys directory
  -h, --help             help for list
`,
  import: `Import a local key into the local or global keyring

Usage:
  sifkit key import [--new-password] [-g] <input-key>

Flags:
  -g, --global           import a public key into the global keyring
      --new-password     set a new password to the private key
  -d, --keysdir string   keys directory
  -h, --help             help for import
`,
  export: `Export a public or private key into a specific file

Usage:
  sifkit key export [-s] [-a] [--index N | --fingerprint FP] <output-file>

Flags:
  -a, --armor                ascii armored format
      --fingerprint string   choose the key by fingerprint (no prompt; not with --index)
      --index string         choose the key by its number in 'key list' (no prompt)
  -s, --secret               export a private key instead of a public key
  -d, --keysdir string       keys directory
  -h, --help                 help for export
`,
  remove: `Remove a local public key from your public keyring

Usage:
  sifkit key remove [-s] <fingerprint>

Flags:
  -s, --secret           remove a private key
  -d, --keysdir string   keys directory
  -h, --help             help for remove
`,
};

async function help(io: CliIO, sub?: string): Promise<number> {
  await writeAll(io.stdout, (sub && SUB_HELP[sub]) ?? HELP);
  return EXIT.OK;
}

/**
 * Runs `sifkit key …`.
 *
 * @param args - arguments after `key`
 * @param io - the process
 * @returns exit status
 */
export async function run(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'newpair':
      return newpair(rest, io);
    case 'list':
      return list(rest, io);
    case 'import':
      return importKeys(rest, io);
    case 'export':
      return exportKey(rest, io);
    case 'remove':
      return remove(rest, io);
    case 'search':
      return (await import('./key-remote.js')).search(rest, io);
    case 'pull':
      return (await import('./key-remote.js')).pull(rest, io);
    case 'push':
      return (await import('./key-remote.js')).push(rest, io);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      return help(io);
    default:
      throw new UsageError(`unknown command "${sub}" for "sifkit key"`);
  }
}
