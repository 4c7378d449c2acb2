/**
 * PEM keys for DSSE signatures (Ed25519, RSA, ECDSA P-256/P-384/P-521) and their OpenSSH SHA256
 * fingerprints (the DSSE key IDs the reference writes).
 *
 * Public keys are parsed here (SPKI, or PKCS#1 for RSA) and checked with WebCrypto, so verification
 * works wherever WebCrypto exists (browsers, Node). Private keys — signing, encrypted PEM — need
 * Node's crypto (reached without an import, see `runtime.ts`).
 *
 * @module
 */
import { sifError } from '../errors.js';
import { concatBytes, digestBytes } from '../hash/index.js';
import { base64Decode, base64Encode, nodeBuiltin, type NodeCrypto, type NodeKeyObject } from '../runtime.js';
import { derChildren, derRead, oidText } from './der.js';

/** A DSSE key algorithm. */
export type PemKeyType = 'ed25519' | 'rsa' | 'ecdsa';

/** A PEM public key ready for DSSE verification. */
export interface PemPublicKey {
  /** Algorithm family. */
  type: PemKeyType;
  /** The ECDSA curve (WebCrypto name). */
  curve?: 'P-256' | 'P-384' | 'P-521';
  /** The key as DER SubjectPublicKeyInfo. */
  spki: Uint8Array;
  /** OpenSSH fingerprint `SHA256:<base64>`, the DSSE key ID. */
  keyId: string;
  /** The file it came from, if any. */
  path?: string;
}

/** A PEM private key ready for DSSE signing (Node.js). */
export interface PemPrivateKey extends PemPublicKey {
  /** The node:crypto private `KeyObject` (opaque outside Node). */
  privateKey: object;
}

const OID = {
  rsa: '1.2.840.113549.1.1.1',
  ec: '1.2.840.10045.2.1',
  ed25519: '1.3.101.112',
  'P-256': '1.2.840.10045.3.1.7',
  'P-384': '1.3.132.0.34',
  'P-521': '1.3.132.0.35',
} as const;
const SSH_CURVE = { 'P-256': 'nistp256', 'P-384': 'nistp384', 'P-521': 'nistp521' } as const;

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

/** The facts of a SubjectPublicKeyInfo: type, curve, and the OpenSSH fingerprint. */
function describeSpki(spki: Uint8Array): Omit<PemPublicKey, 'path'> {
  const [alg, bits] = derChildren(derRead(spki).body);
  if (!alg || !bits || bits.tag !== 0x03) throw sifError('KEY_INVALID', 'not a SubjectPublicKeyInfo');
  const [oid, params] = derChildren(alg.body);
  const key = bits.body.subarray(1); // BIT STRING: skip the unused-bits byte
  const enc = new TextEncoder();
  let type: PemKeyType;
  let curve: PemPublicKey['curve'];
  let parts: Uint8Array[];
  switch (oid && oidText(oid.body)) {
    case OID.ed25519:
      type = 'ed25519';
      parts = [sshString(enc.encode('ssh-ed25519')), sshString(key)];
      break;
    case OID.rsa: {
      type = 'rsa';
      const [n, e] = derChildren(derRead(key).body);
      if (!n || !e) throw sifError('KEY_INVALID', 'malformed RSA public key');
      parts = [sshString(enc.encode('ssh-rsa')), sshMpint(e.body), sshMpint(n.body)];
      break;
    }
    case OID.ec: {
      type = 'ecdsa';
      const c = params && oidText(params.body);
      curve = (['P-256', 'P-384', 'P-521'] as const).find((k) => OID[k] === c);
      if (!curve) throw sifError('KEY_UNSUPPORTED', `unsupported ECDSA curve ${c ?? '(none)'}`);
      const name = SSH_CURVE[curve];
      parts = [sshString(enc.encode(`ecdsa-sha2-${name}`)), sshString(enc.encode(name)), sshString(key)];
      break;
    }
    default:
      throw sifError('KEY_UNSUPPORTED', `unsupported key type ${oid ? oidText(oid.body) : '(none)'}`);
  }
  const keyId = `SHA256:${base64Encode(digestBytes('sha256', concatBytes(parts))).replace(/=+$/, '')}`;
  return { type, ...(curve ? { curve } : {}), spki, keyId };
}

/** PKCS#1 RSAPublicKey → SubjectPublicKeyInfo. */
function rsaSpki(pkcs1: Uint8Array): Uint8Array {
  const len = (n: number): number[] => (n < 128 ? [n] : n < 256 ? [0x81, n] : n < 65536 ? [0x82, n >> 8, n & 255] : [0x83, n >> 16, (n >> 8) & 255, n & 255]);
  const tlv = (tag: number, body: Uint8Array): Uint8Array => concatBytes([Uint8Array.from([tag, ...len(body.length)]), body]);
  const algId = Uint8Array.from([0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00]);
  return tlv(0x30, concatBytes([algId, tlv(0x03, concatBytes([Uint8Array.of(0), pkcs1]))]));
}

/** The first PEM block: its label and DER bytes. */
function pemBlock(bytes: Uint8Array): { label: string; der: Uint8Array } | undefined {
  const text = new TextDecoder().decode(bytes);
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!m) return undefined;
  const lines = m[2]!.split(/\r?\n/).filter((l) => l && !l.includes(':'));
  const der = base64Decode(lines.join('').trim());
  return der ? { label: m[1]!, der } : undefined;
}

function nodeCrypto(what: string): NodeCrypto {
  const c = nodeBuiltin<NodeCrypto>('node:crypto');
  if (!c) throw sifError('KEY_UNSUPPORTED', `${what} needs Node.js (its crypto module): not available here`);
  return c;
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
 * Reads a PEM public key (SPKI `PUBLIC KEY`, PKCS#1 `RSA PUBLIC KEY`), or — on Node — the public half
 * of a PEM private key.
 *
 * @param bytes - PEM text
 * @param path - file name for messages
 * @returns the key
 * @throws SifError `KEY_INVALID` / `KEY_UNSUPPORTED`
 */
export async function readPemPublicKey(bytes: Uint8Array, path?: string): Promise<PemPublicKey> {
  const where = path ? `${path}: ` : '';
  const block = pemBlock(bytes);
  try {
    if (block?.label === 'PUBLIC KEY') return { ...describeSpki(block.der), ...(path ? { path } : {}) };
    if (block?.label === 'RSA PUBLIC KEY') return { ...describeSpki(rsaSpki(block.der)), ...(path ? { path } : {}) };
  } catch (e) {
    if ((e as { code?: string }).code === 'KEY_UNSUPPORTED') throw sifError('KEY_UNSUPPORTED', `${where}${(e as Error).message}`, { cause: e });
    throw sifError('KEY_INVALID', `${where}not a PEM public key sifkit can read (damaged, or an unsupported key type)`, { cause: e });
  }
  if (block && /PRIVATE KEY$/.test(block.label)) {
    const priv = await readPemPrivateKey(bytes, undefined, path);
    return { type: priv.type, ...(priv.curve ? { curve: priv.curve } : {}), spki: priv.spki, keyId: priv.keyId, ...(path ? { path } : {}) };
  }
  throw sifError('KEY_INVALID', `${where}not a PEM public key sifkit can read (damaged, or an unsupported key type)`);
}

/**
 * Reads a PEM private key (PKCS#8, PKCS#1 or SEC1; encrypted ones need the passphrase). Node.js only.
 *
 * @param bytes - PEM text
 * @param passphrase - for encrypted keys
 * @param path - file name for messages
 * @returns the key
 * @throws SifError `KEY_INVALID`, `BAD_PASSPHRASE`, `KEY_UNSUPPORTED`
 */
export async function readPemPrivateKey(bytes: Uint8Array, passphrase?: string, path?: string): Promise<PemPrivateKey> {
  const crypto = nodeCrypto('reading a PEM private key');
  let privateKey: NodeKeyObject;
  try {
    privateKey = crypto.createPrivateKey({ key: new TextDecoder().decode(bytes), format: 'pem', ...(passphrase !== undefined ? { passphrase } : {}) });
  } catch (e) {
    // OpenSSL's own texts ("DECODER routines::unsupported") mean nothing to a user: say what failed.
    const msg = (e as Error).message;
    const bad = /passphrase|decrypt|bad decrypt/i.test(msg);
    const what = bad ? 'wrong passphrase for the encrypted PEM private key' : 'not a PEM private key sifkit can read (damaged, or an unsupported key type)';
    throw sifError(bad ? 'BAD_PASSPHRASE' : 'KEY_INVALID', `${path ? `${path}: ` : ''}${what}`, { cause: e });
  }
  const spki = new Uint8Array(crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  return { ...describeSpki(spki), privateKey, ...(path ? { path } : {}) };
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

/** WebCrypto's typings want ArrayBuffer-backed views; ours always are. */
const ab = (b: Uint8Array): Uint8Array<ArrayBuffer> => b as Uint8Array<ArrayBuffer>;

const WEB_HASH = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' } as const;
const COORD = { 'P-256': 32, 'P-384': 48, 'P-521': 66 } as const;

/** An ASN.1 ECDSA signature (what Go and OpenSSL write) → WebCrypto's r‖s. */
function ecdsaRaw(der: Uint8Array, size: number): Uint8Array | undefined {
  try {
    const seq = derRead(der);
    if (seq.tag !== 0x30 || seq.end !== der.length) return undefined;
    const ints = derChildren(seq.body);
    if (ints.length !== 2 || ints.some((i) => i.tag !== 0x02)) return undefined;
    const out = new Uint8Array(2 * size);
    for (const [k, i] of ints.entries()) {
      let v = i.body;
      while (v.length > 1 && v[0] === 0) v = v.subarray(1);
      if (v.length > size) return undefined;
      out.set(v, (k + 1) * size - v.length);
    }
    return out;
  } catch {
    return undefined;
  }
}

/**
 * Checks a DSSE signature with a PEM public key through WebCrypto: Ed25519, ECDSA (ASN.1 signature)
 * or RSA PKCS#1 v1.5 (what the reference's verifier loads for RSA keys), with the signature
 * descriptor's hash for RSA and ECDSA.
 *
 * @param key - the public key
 * @param hash - `sha256`, `sha384` or `sha512` (others never verify)
 * @param message - the signed bytes (the DSSE PAE)
 * @param sig - the signature bytes
 * @returns true when it verifies
 */
export async function pemVerify(key: PemPublicKey, hash: string, message: Uint8Array, sig: Uint8Array): Promise<boolean> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw sifError('KEY_UNSUPPORTED', 'DSSE verification needs WebCrypto (crypto.subtle): not available here');
  const h = WEB_HASH[hash as keyof typeof WEB_HASH];
  try {
    if (key.type === 'ed25519') {
      const k = await subtle.importKey('spki', ab(key.spki), { name: 'Ed25519' }, false, ['verify']);
      return await subtle.verify({ name: 'Ed25519' }, k, ab(sig), ab(message));
    }
    if (!h) return false;
    if (key.type === 'ecdsa') {
      const raw = ecdsaRaw(sig, COORD[key.curve!]);
      if (!raw) return false;
      const k = await subtle.importKey('spki', ab(key.spki), { name: 'ECDSA', namedCurve: key.curve! }, false, ['verify']);
      return await subtle.verify({ name: 'ECDSA', hash: h }, k, ab(raw), ab(message));
    }
    const k = await subtle.importKey('spki', ab(key.spki), { name: 'RSASSA-PKCS1-v1_5', hash: h }, false, ['verify']);
    return await subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, k, ab(sig), ab(message));
  } catch {
    return false;
  }
}

/**
 * Signs with a PEM private key (Node.js): Ed25519, or the hash for RSA (PKCS#1 v1.5) and ECDSA
 * (ASN.1 signature), as the reference signs.
 *
 * @param key - the private key
 * @param nodeHash - node:crypto hash name (ignored for Ed25519)
 * @param message - the bytes to sign
 * @returns the signature
 */
export function pemSign(key: PemPrivateKey, nodeHash: string, message: Uint8Array): Uint8Array {
  const crypto = nodeCrypto('signing with a PEM key');
  return new Uint8Array(crypto.sign(key.type === 'ed25519' ? null : nodeHash, message, key.privateKey as NodeKeyObject));
}
