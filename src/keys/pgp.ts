/**
 * OpenPGP key material: reading key files (armored or binary, several keys per file, GnuPG keyrings
 * with trust packets) into a keyring, and the key facts sifkit prints.
 *
 * @module
 */
import { sifError } from '../errors.js';
import { concatBytes, toHex } from '../hash/index.js';
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
 * Reads every key in a file: armored or binary, public or secret, one or many.
 *
 * @param bytes - the file contents
 * @param what - a name for messages (the path)
 * @returns the keys
 * @throws SifError `KEY_INVALID`
 */
export async function readPgpKeys(bytes: Uint8Array, what = 'key file'): Promise<PgpKey[]> {
  const openpgp = await loadOpenPGP();
  const head = new TextDecoder().decode(bytes.subarray(0, 4096));
  try {
    if (head.includes(ARMOR_PREFIX)) {
      return await openpgp.readKeys({ armoredKeys: new TextDecoder().decode(bytes) });
    }
    return await openpgp.readKeys({ binaryKeys: stripTrustPackets(bytes) });
  } catch (e) {
    throw sifError('KEY_INVALID', `${what}: ${(e as Error).message}`, { cause: e });
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
  const identities = key.users.map((u) => u.userID?.userID).filter((u): u is string => u !== undefined);
  let identity: string | undefined;
  try {
    identity = (await key.getPrimaryUser(null as unknown as Date)).user.userID?.userID;
  } catch {
    identity = identities[0];
  }
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
