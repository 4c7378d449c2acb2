/**
 * PEM keys for DSSE signatures (Ed25519, RSA, ECDSA P-256/P-384), through node:crypto, and their
 * OpenSSH SHA256 fingerprints (the DSSE key IDs the reference writes).
 *
 * @module
 */
import { sifError } from '../errors.js';

type NodeCrypto = typeof import('node:crypto');
let nodeCrypto: Promise<NodeCrypto> | undefined;
/** Loads node:crypto on first use. */
export function loadNodeCrypto(): Promise<NodeCrypto> {
  nodeCrypto ??= import('node:crypto');
  return nodeCrypto;
}

/** A DSSE key algorithm. */
export type PemKeyType = 'ed25519' | 'rsa' | 'ecdsa';

/** A PEM public key ready for DSSE verification. */
export interface PemPublicKey {
  /** Algorithm family. */
  type: PemKeyType;
  /** The node:crypto key. */
  key: import('node:crypto').KeyObject;
  /** OpenSSH fingerprint `SHA256:<base64>`, the DSSE key ID. */
  keyId: string;
  /** The file it came from, if any. */
  path?: string;
}

/** A PEM private key ready for DSSE signing. */
export interface PemPrivateKey extends PemPublicKey {
  /** The private key object. */
  privateKey: import('node:crypto').KeyObject;
}

function sshString(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + b.length);
  new DataView(out.buffer).setUint32(0, b.length);
  out.set(b, 4);
  return out;
}

function sshMpint(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  let v = b.subarray(i);
  if (v[0]! & 0x80) v = Uint8Array.from([0, ...v]);
  return sshString(v);
}

const b64url = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'base64url'));

/**
 * The OpenSSH SHA256 fingerprint of a public key (`ssh-keygen -l -E sha256` without the comment).
 *
 * @param key - the key
 * @returns `SHA256:<unpadded base64>`
 */
export async function sshFingerprint(key: import('node:crypto').KeyObject): Promise<string> {
  const crypto = await loadNodeCrypto();
  const jwk = key.export({ format: 'jwk' });
  const enc = new TextEncoder();
  let parts: Uint8Array[];
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    parts = [sshString(enc.encode('ssh-ed25519')), sshString(b64url(jwk.x!))];
  } else if (jwk.kty === 'RSA') {
    parts = [sshString(enc.encode('ssh-rsa')), sshMpint(b64url(jwk.e!)), sshMpint(b64url(jwk.n!))];
  } else if (jwk.kty === 'EC') {
    const curve = { 'P-256': 'nistp256', 'P-384': 'nistp384', 'P-521': 'nistp521' }[jwk.crv ?? ''];
    if (!curve) throw sifError('KEY_UNSUPPORTED', `unsupported curve ${jwk.crv}`);
    const point = Uint8Array.from([4, ...b64url(jwk.x!), ...b64url(jwk.y!)]);
    parts = [sshString(enc.encode(`ecdsa-sha2-${curve}`)), sshString(enc.encode(curve)), sshString(point)];
  } else throw sifError('KEY_UNSUPPORTED', `unsupported key type ${jwk.kty}`);
  const blob = Buffer.concat(parts);
  return `SHA256:${crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function keyType(k: import('node:crypto').KeyObject): PemKeyType {
  switch (k.asymmetricKeyType) {
    case 'ed25519':
      return 'ed25519';
    case 'rsa':
      return 'rsa';
    case 'ec':
      return 'ecdsa';
    default:
      throw sifError('KEY_UNSUPPORTED', `unsupported key type ${k.asymmetricKeyType ?? 'unknown'}`);
  }
}

/**
 * Whether bytes look like a PEM key (rather than OpenPGP).
 *
 * @param bytes - file contents
 * @returns true for PEM
 */
export function isPem(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 4096));
  return /-----BEGIN (?:[A-Z0-9]+ )*(?:PUBLIC|PRIVATE) KEY-----/.test(head);
}

/**
 * Reads a PEM public key (SPKI), or the public half of a PEM private key.
 *
 * @param bytes - PEM text
 * @param path - file name for messages
 * @returns the key
 * @throws SifError `KEY_INVALID` / `KEY_UNSUPPORTED`
 */
export async function readPemPublicKey(bytes: Uint8Array, path?: string): Promise<PemPublicKey> {
  const crypto = await loadNodeCrypto();
  let key: import('node:crypto').KeyObject;
  try {
    key = crypto.createPublicKey({ key: Buffer.from(bytes), format: 'pem' });
  } catch (e) {
    throw sifError('KEY_INVALID', `${path ? `${path}: ` : ''}not a PEM public key sifkit can read (damaged, or an unsupported key type)`, { cause: e });
  }
  return { type: keyType(key), key, keyId: await sshFingerprint(key), ...(path ? { path } : {}) };
}

/**
 * Reads a PEM private key (PKCS#8, PKCS#1 or SEC1; encrypted ones need the passphrase).
 *
 * @param bytes - PEM text
 * @param passphrase - for encrypted keys
 * @param path - file name for messages
 * @returns the key
 * @throws SifError `KEY_INVALID`, `BAD_PASSPHRASE`, `KEY_UNSUPPORTED`
 */
export async function readPemPrivateKey(bytes: Uint8Array, passphrase?: string, path?: string): Promise<PemPrivateKey> {
  const crypto = await loadNodeCrypto();
  let privateKey: import('node:crypto').KeyObject;
  try {
    privateKey = crypto.createPrivateKey({ key: Buffer.from(bytes), format: 'pem', ...(passphrase !== undefined ? { passphrase } : {}) });
  } catch (e) {
    // OpenSSL's own texts ("DECODER routines::unsupported") mean nothing to a user: say what failed.
    const msg = (e as Error).message;
    const bad = /passphrase|decrypt|bad decrypt/i.test(msg);
    const what = bad ? 'wrong passphrase for the encrypted PEM private key' : 'not a PEM private key sifkit can read (damaged, or an unsupported key type)';
    throw sifError(bad ? 'BAD_PASSPHRASE' : 'KEY_INVALID', `${path ? `${path}: ` : ''}${what}`, { cause: e });
  }
  const key = crypto.createPublicKey(privateKey);
  return { type: keyType(key), key, privateKey, keyId: await sshFingerprint(key), ...(path ? { path } : {}) };
}

/**
 * Whether a PEM private key is encrypted (needs a passphrase).
 *
 * @param bytes - PEM text
 * @returns true when encrypted
 */
export function pemIsEncrypted(bytes: Uint8Array): boolean {
  const t = new TextDecoder().decode(bytes.subarray(0, 4096));
  return t.includes('ENCRYPTED PRIVATE KEY') || t.includes('Proc-Type: 4,ENCRYPTED');
}
