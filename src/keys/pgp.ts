/**
 * OpenPGP key material: reading key files (armored or binary, several keys per file, GnuPG keyrings
 * with trust packets) into a keyring, and the key facts sifkit prints.
 *
 * @module
 */
import { sifError } from '../errors.js';
import { concatBytes, toHex } from '../hash/index.js';
import { crc24, decodeArmorBlocks } from './armor.js';
import { splitPackets } from './packets.js';

type OpenPGP = typeof import('openpgp');
let openpgpModule: Promise<OpenPGP> | undefined;
/** Loads openpgp.js on first use (it is large; commands that do not need it never load it). */
export function loadOpenPGP(): Promise<OpenPGP> {
  openpgpModule ??= import('openpgp');
  return openpgpModule;
}

/** An OpenPGP key (openpgp.js `Key`). */
export type PgpKey = import('openpgp').Key;
/** An OpenPGP private key (openpgp.js `PrivateKey`). */
export type PgpPrivateKey = import('openpgp').PrivateKey;

/** Where a key came from, for the `[LOCAL]` / `[GLOBAL]` / `[REMOTE]` labels. */
export type KeySource = 'local' | 'global' | 'remote';

/** A key and where it came from. */
export interface KeyringEntry {
  /** The key. */
  key: PgpKey;
  /** Its source label. */
  source: KeySource;
  /** The file it was read from, if any. */
  path?: string;
}

/** A set of public keys to verify with. */
export interface PgpKeyring {
  /** The keys, in the order given. */
  entries: KeyringEntry[];
}

/** The signer facts a verification reports. */
export interface PgpSigner {
  /** Primary key fingerprint, upper-case hex. */
  fingerprint: string;
  /** 16-hex key ID of the key that made the signature (primary or subkey), upper case. */
  keyId: string;
  /** The primary user ID (`Name (Comment) <email>`), or undefined when the key has none. */
  identity: string | undefined;
  /** Every user ID. */
  identities: string[];
  /** Where the key came from. */
  source: KeySource;
  /** The key file, if known. */
  path?: string;
}

const ARMOR_PREFIX = '-----BEGIN PGP';

/**
 * Removes Trust packets (tag 12), which GnuPG's binary keyrings carry and openpgp.js refuses.
 * Walks packet headers only; malformed input is returned unchanged for the parser to reject.
 *
 * @param b - binary packets
 * @returns the packets without trust packets
 */
export function stripTrustPackets(b: Uint8Array): Uint8Array {
  const { packets, incomplete } = splitPackets(b);
  if (incomplete || !packets.some((p) => p.tag === 12)) return b;
  return concatBytes(packets.filter((p) => p.tag !== 12).map((p) => p.bytes));
}

/**
 * The binary key packets of a key file: the bodies of every armored block (each checked as go-crypto
 * checks key armor, CRC included), or the file itself when it is not armored.
 */
function keyPacketsOf(bytes: Uint8Array, what: string): Uint8Array[] {
  const head = new TextDecoder().decode(bytes.subarray(0, 4096));
  if (head.includes('-----BEGIN CERTIFICATE-----') || head.includes('-----BEGIN X509 CERTIFICATE-----')) {
    throw sifError('KEY_UNSUPPORTED', `${what}: an X.509 certificate is not an OpenPGP key (verify with a certificate through --certificate)`);
  }
  if (!head.includes(ARMOR_PREFIX)) return [stripTrustPackets(bytes)];
  const blocks = decodeArmorBlocks(new TextDecoder().decode(bytes)).filter((b) => b.type.startsWith('PGP '));
  if (blocks.length === 0) throw sifError('KEY_INVALID', `${what}: no OpenPGP armor block found`);
  return blocks.map((b, i) => {
    const where = blocks.length > 1 ? `${what} (armored block ${i + 1})` : what;
    if (b.error) throw sifError('KEY_INVALID', `${where}: ${b.error}`);
    if (b.crc !== undefined && b.crc !== crc24(b.body)) throw sifError('KEY_INVALID', `${where}: armor checksum mismatch: openpgp: invalid data: armor invalid`);
    return stripTrustPackets(b.body);
  });
}

/**
 * Drops every user ID (and attribute) without a valid self-signature, so a name an attacker edited
 * into a key is never shown; a key left with no user ID is refused, as go-crypto refuses it.
 */
async function keepSelfSignedUsers(key: PgpKey, what: string): Promise<void> {
  const valid: typeof key.users = [];
  for (const user of key.users) {
    // null: no time checks (the reference loads keys whatever their self-signatures' dates).
    if (await user.verify(null as unknown as Date).then(() => true, () => false)) valid.push(user);
  }
  if (!valid.some((u) => u.userID)) {
    throw sifError('KEY_INVALID', `${what}: key ${key.getFingerprint().toUpperCase()} has no user ID with a valid self-signature (altered or damaged key)`);
  }
  key.users = valid;
}

/**
 * Reads every key in a file: armored (every block, checksums checked) or binary, public or secret,
 * one or many. Only user IDs with a valid self-signature are kept; a key with none is refused.
 *
 * @param bytes - the file contents
 * @param what - a name for messages (the path)
 * @returns the keys
 * @throws SifError `KEY_INVALID`, `KEY_UNSUPPORTED` (an X.509 certificate)
 */
export async function readPgpKeys(bytes: Uint8Array, what = 'key file'): Promise<PgpKey[]> {
  const openpgp = await loadOpenPGP();
  const keys: PgpKey[] = [];
  for (const binaryKeys of keyPacketsOf(bytes, what)) {
    try {
      keys.push(...(await openpgp.readKeys({ binaryKeys })));
    } catch (e) {
      throw sifError('KEY_INVALID', `${what}: ${(e as Error).message}`, { cause: e });
    }
  }
  for (const key of keys) await keepSelfSignedUsers(key, what);
  return keys;
}

/**
 * A private key ready to sign: decrypted with its passphrase when it is protected (the CLI's prompt,
 * for library users).
 *
 * @param key - a private key, as `readPgpKeys` or `readKeyring` return it
 * @param passphrase - its passphrase (ignored when the key is not protected)
 * @returns the decrypted key (a copy; `key` is unchanged)
 * @throws SifError `BAD_PASSPHRASE`
 */
export async function decryptPgpKey(key: PgpPrivateKey, passphrase: string): Promise<PgpPrivateKey> {
  if (key.isDecrypted()) return key;
  const openpgp = await loadOpenPGP();
  try {
    return await openpgp.decryptKey({ privateKey: key, passphrase });
  } catch (e) {
    throw sifError('BAD_PASSPHRASE', `key ${key.getFingerprint().toUpperCase()}: wrong passphrase (openpgp: invalid data: private key checksum failure)`, { cause: e });
  }
}

/**
 * The signer facts of a key.
 *
 * @param key - the key
 * @param keyId - the signing (sub)key ID
 * @param source - where it came from
 * @param path - its file
 * @returns the signer
 */
export async function signerOf(key: PgpKey, keyId: string, source: KeySource, path?: string): Promise<PgpSigner> {
  // Keys from callers may not have come through readPgpKeys: check self-signatures here too.
  const identities: string[] = [];
  for (const u of key.users) {
    const id = u.userID?.userID;
    if (id !== undefined && (await u.verify(null as unknown as Date).then(() => true, () => false))) identities.push(id);
  }
  // Only a self-signed user ID is ever shown as the signer (readPgpKeys keeps no other).
  const primary = await key.getPrimaryUser(null as unknown as Date).then(
    (p) => p.user.userID?.userID,
    () => undefined,
  );
  const identity = primary !== undefined && identities.includes(primary) ? primary : undefined;
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    keyId: keyId.toUpperCase(),
    identity,
    identities,
    source,
    ...(path ? { path } : {}),
  };
}

/**
 * Upper-case hex fingerprint bytes → bytes.
 *
 * @param key - a key
 * @returns the 20-byte (v4) primary fingerprint
 */
export function fingerprintBytes(key: PgpKey): Uint8Array {
  const hex = key.getFingerprint();
  return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

/**
 * Hex of fingerprint bytes (upper case).
 *
 * @param fp - fingerprint bytes
 * @returns hex
 */
export function fingerprintHex(fp: Uint8Array): string {
  return toHex(fp).toUpperCase();
}
