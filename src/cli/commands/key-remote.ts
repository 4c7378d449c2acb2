/**
 * `sifkit key search | pull | push`: singularity's keyserver commands. The keyserver is `--url`, else
 * `$SIFKIT_KEYSERVER`, else singularity's fallback `https://keys.sylabs.io`; a token comes from
 * `--token-file` or `$SIFKIT_KEYSERVER_TOKEN`. Output and errors as singularity prints them.
 *
 * @module
 */
import { fetchKeys, httpStatus, searchKeys, submitKey, type KeyIndex, type KeyserverOptions } from '../../clients/hkp.js';
import { isSifError, sifError } from '../../errors.js';
import { ensureKeysDir, readKeyring, updateKeyring } from '../../keys/keyring.js';
import { encodeArmor } from '../../keys/armor.js';
import { readPgpKeys } from '../../keys/pgp.js';
import { parseFlags, type Parsed } from '../args.js';
import { EXIT, UsageError, errorText, writeAll, type CliIO } from '../io.js';
import { goLocalTime } from '../localtime.js';
import { log } from '../log.js';
import { DEFAULT_KEYSERVER, keyservers } from '../keyservers.js';
import { tabwrite } from '../text.js';
import { COMMON, keyringMode, paths } from './key.js';


const REMOTE = { url: { type: 'string', short: 'u' }, 'token-file': { type: 'string' } } as const;

/** Help texts. */
export const HELP = {
  search: `Search for keys on a key server

Usage:
  sifkit key search [-l] [--url <keyserver>] <search string>

Flags:
  -l, --long-list           output long list when searching for keys
  -u, --url string          key server URL (hkp://, hkps://, http://, https://) [default: $SIFKIT_KEYSERVER, the
                            active remote's keyserver in remote.yaml, or ${DEFAULT_KEYSERVER}]
      --token-file string   file holding a bearer token for the key server [default: $SIFKIT_KEYSERVER_TOKEN]
  -h, --help                help for search
`,
  pull: `Download a public key from a key server

Usage:
  sifkit key pull [-g] [--url <keyserver>] <fingerprint>

Flags:
  -g, --global              add the key to the global keyring
  -u, --url string          key server URL [default: $SIFKIT_KEYSERVER or ${DEFAULT_KEYSERVER}]
      --token-file string   file holding a bearer token for the key server
  -d, --keysdir string      keys directory
  -h, --help                help for pull

Only a key whose fingerprint is the one asked for is added.
`,
  push: `Upload a public key to a key server

Usage:
  sifkit key push [--url <keyserver>] <fingerprint>

Flags:
  -u, --url string          key server URL [default: $SIFKIT_KEYSERVER or ${DEFAULT_KEYSERVER}]
      --token-file string   file holding a bearer token for the key server
  -d, --keysdir string      keys directory
  -h, --help                help for push
`,
};

const HELP_AUTH = `Access token is expired or missing. To update or obtain a token:
  1) View configured remotes using "singularity remote list"
  2) Identify default remote. It will be listed with square brackets.
  3) Login to default remote with "singularity remote login <RemoteName>"`;

async function keyserver(io: CliIO, v: Parsed['values']): Promise<KeyserverOptions> {
  // search, pull and push use the first (primary) keyserver, as singularity does
  return (await keyservers(io, v, true, { userAgent: 'sifkit' }))[0]!;
}

/** singularity's wording of a failed lookup. */
function lookupError(io: CliIO, e: unknown): Error {
  const status = httpStatus(e);
  if (status === 401) {
    log(io, 'INFO', HELP_AUTH);
    return new Error('unauthorized or missing token');
  }
  if (status === 404) return new Error('no matching keys found for fingerprint');
  return new Error(`failed to get key: ${errorText(e)}`);
}

const ALGORITHMS: Record<string, string> = { 1: 'RSA', 2: 'RSA', 3: 'RSA', 16: 'Elgamal', 17: 'DSA', 18: 'Elliptic Curve', 19: 'ECDSA', 20: 'Reserved', 21: 'Diffie-Hellman' };

/**
 * singularity's search table (`formatMROutput`): short (`KEY ID`, `BITS`, `NAME/EMAIL`) or long form,
 * a blank line between keys, extra user IDs indented.
 *
 * @param index - the parsed index
 * @param long - the `-l` form
 * @param env - for the local time zone of the dates
 * @returns the table
 */
export function formatIndex(index: KeyIndex, long: boolean, env: Record<string, string | undefined>): string {
  const date = (s: string): string => (s === '' ? '[ultimate]' : s === 'none' ? s : goLocalTime(/^-?[0-9]+$/.test(s) ? Number(s) : 0, env));
  const status: Record<string, string> = { r: '[revoked]', d: '[disabled]', e: '[expired]' };
  let t = long ? 'FINGERPRINT\tALGORITHM\tBITS\tCREATION DATE\tEXPIRATION DATE\tSTATUS\t' : 'KEY ID\tBITS\t';
  t += 'NAME/EMAIL\n';
  index.keys.forEach((k, i) => {
    if (i > 0) t += '\n';
    t += long
      ? `${k.keyId}\t${ALGORITHMS[String(Number(k.algorithm))] ?? 'unknown'}\t${k.bits}\t${date(k.created)}\t${date(k.expires)}\t${status[k.flags] ?? '[enabled]'}\t`
      : `${k.keyId.slice(-8)}\t${k.bits}\t`;
    if (k.uids.length === 0) t += '\n';
    k.uids.forEach((u, j) => {
      if (j > 0) t += long ? '\t\t\t\t\t\t' : '\t\t';
      t += `${u.uid}\n`;
    });
  });
  return tabwrite(t, 2);
}

/**
 * `sifkit key search`.
 *
 * @param args - arguments
 * @param io - the process
 * @returns exit status
 */
export async function search(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(args, { ...REMOTE, 'long-list': { type: 'boolean', short: 'l' } });
  if (values.help) {
    await writeAll(io.stdout, HELP.search);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new UsageError(`accepts 1 arg(s), received ${positionals.length}`);
  let query = positionals[0]!;
  if (/^[0-9A-F]{8,}$/.test(query)) query = `0x${query}`;
  const opts = await keyserver(io, values);
  let index: KeyIndex;
  try {
    index = await searchKeys(query, opts);
  } catch (e) {
    log(io, 'ERROR', `search failed: ${lookupError(io, e).message}`);
    return 2;
  }
  await writeAll(io.stdout, `Showing ${index.keys.length} results\n\n${formatIndex(index, values['long-list'] === true, io.env)}`);
  return EXIT.OK;
}

/** What pull and push share: flags, help, one fingerprint argument, singularity's failure line. */
async function fingerprintCommand(
  which: 'pull' | 'push',
  args: string[],
  io: CliIO,
): Promise<number | { values: Parsed['values']; positionals: string[]; want: string; fail: (why: string) => number }> {
  const { values, positionals } = parseFlags(args, { ...REMOTE, ...COMMON });
  if (values.help) {
    await writeAll(io.stdout, HELP[which]);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new UsageError(`accepts 1 arg(s), received ${positionals.length}`);
  const fail = (why: string): number => {
    log(io, 'ERROR', `${which} failed: ${why}`);
    return 2;
  };
  return { values, positionals, want: positionals[0]!.replace(/^0x/i, '').toUpperCase(), fail };
}

/**
 * `sifkit key pull`.
 *
 * @param args - arguments
 * @param io - the process
 * @returns exit status
 */
export async function pull(args: string[], io: CliIO): Promise<number> {
  const start = await fingerprintCommand('pull', args, io);
  if (typeof start === 'number') return start;
  const { values, positionals, want, fail } = start;
  if (!/^[0-9A-F]*$/.test(want)) return fail(`failed to decode fingerprint: encoding/hex: invalid byte in ${JSON.stringify(positionals[0])}`);
  if (want.length !== 8 && want.length !== 40) return fail('not a valid key length: only accepts 8, or 40 chars');
  const opts = await keyserver(io, values);
  let armored: string;
  try {
    armored = await fetchKeys(want, opts);
  } catch (e) {
    return fail(lookupError(io, e).message);
  }
  try {
    const keys = await readPgpKeys(new TextEncoder().encode(armored), 'the key server answer');
    if (keys.length === 0) return fail('no keys in keyring');
    if (keys.length > 1) return fail('server returned more than one key for unique fingerprint');
    const key = keys[0]!;
    const fp = key.getFingerprint().toUpperCase();
    // Only the key that was asked for: a server cannot slip in another one.
    if (!fp.endsWith(want)) return fail(`the key server sent key ${fp}, not ${want}`);
    if (key.isPrivate()) return fail('the key server sent a private key');
    const p = paths(io, values);
    const path = values.global ? p.global : p.public;
    if (!values.global) await ensureKeysDir(p.dir, (m) => log(io, 'WARNING', m));
    const added = await updateKeyring(
      path,
      false,
      (cur) => (cur.some((c) => c.getFingerprint().toUpperCase() === fp) ? { keys: cur, result: 0 } : { keys: [...cur, key], result: 1 }),
      keyringMode(values.global === true),
    );
    io.stdout.write(`${added} key(s) added to keyring of trust ${path}\n`);
    return EXIT.OK;
  } catch (e) {
    return fail(errorText(e));
  }
}

/**
 * `sifkit key push`.
 *
 * @param args - arguments
 * @param io - the process
 * @returns exit status
 */
export async function push(args: string[], io: CliIO): Promise<number> {
  const start = await fingerprintCommand('push', args, io);
  if (typeof start === 'number') return start;
  const { values, want, fail } = start;
  if (!/^([0-9A-F]{16}|[0-9A-F]{40})$/.test(want)) return fail('please provide a keyid(16 chars) or a full fingerprint(40 chars)');
  const p = paths(io, values);
  try {
    const key = (await readKeyring(p.public)).find((k) => k.getFingerprint().toUpperCase().endsWith(want.slice(-16)));
    if (!key) throw sifError('KEY_NOT_FOUND', `could not find the requested key: no key in ${p.public} matches ${want}`);
    const armored = encodeArmor('PGP PUBLIC KEY BLOCK', key.toPublic().write());
    const opts = await keyserver(io, values);
    try {
      await submitKey(armored, opts);
    } catch (e) {
      if (httpStatus(e) === 401) {
        log(io, 'INFO', `${HELP_AUTH}\n  4) Push key using "singularity key push ${key.getFingerprint().toUpperCase()}"`);
        return fail('unauthorized or missing token');
      }
      return fail(`key server did not accept PGP key: ${errorText(e)}`);
    }
    io.stdout.write(`public key \`${key.getFingerprint().toUpperCase()}' pushed to server successfully\n`);
    return EXIT.OK;
  } catch (e) {
    return fail(isSifError(e) ? e.message : errorText(e));
  }
}
