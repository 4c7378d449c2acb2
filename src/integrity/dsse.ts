/**
 * DSSE envelopes as the reference writes and checks them (payload type
 * `application/vnd.sylabs.sif-metadata+json`, PAE signing, threshold 1).
 *
 * @module
 */
import { sifError } from '../errors.js';
import { NODE_HASH_NAMES, type HashAlgorithm } from '../hash/index.js';
import { pemSign, pemVerify, type PemPrivateKey, type PemPublicKey } from '../keys/pem.js';
import { base64Encode, base64Decode } from '../runtime.js';
import { jsonDepth, MAX_JSON_DEPTH } from './metadata.js';

/** The payload type of SIF metadata envelopes. */
export const METADATA_MEDIA_TYPE = 'application/vnd.sylabs.sif-metadata+json';

/** A DSSE envelope. */
export interface Envelope {
  /** Payload type. */
  payloadType: string;
  /** Base64 payload. */
  payload: string;
  /** Signatures. */
  signatures: {
    /** Key ID (OpenSSH SHA256 fingerprint), may be empty. */
    keyid: string;
    /** Base64 signature over the PAE. */
    sig: string;
  }[];
}

const enc = new TextEncoder();

/**
 * DSSE pre-authentication encoding.
 *
 * @param payloadType - the type
 * @param payload - raw payload bytes
 * @returns the bytes to sign
 */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const t = enc.encode(payloadType);
  const head = enc.encode(`DSSEv1 ${t.length} ${payloadType} ${payload.length} `);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

function b64decode(s: string): Uint8Array | undefined {
  if (/^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0) return base64Decode(s);
  if (/^[A-Za-z0-9_-]*={0,2}$/.test(s) && s.length % 4 === 0) return base64Decode(s, true);
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses a DSSE envelope when the bytes are one (the reference's `isDSSESignature`: JSON with the SIF
 * metadata payload type).
 *
 * @param data - the signature object's bytes
 * @returns the envelope, or undefined
 */
export function parseEnvelope(data: Uint8Array): Envelope | undefined {
  if (data.length === 0 || data.length > 64 << 20) return undefined;
  let v: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(data);
    if (jsonDepth(text) > MAX_JSON_DEPTH) return undefined;
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(v)) return undefined;
  const get = (k: string): unknown => {
    let out: unknown;
    for (const [key, val] of Object.entries(v as Record<string, unknown>)) if (key.toLowerCase() === k.toLowerCase()) out = val;
    return out;
  };
  const payloadType = get('payloadType');
  const payload = get('payload');
  const sigs = get('signatures');
  if (payloadType !== METADATA_MEDIA_TYPE) return undefined;
  if (payload !== undefined && payload !== null && typeof payload !== 'string') return undefined;
  if (sigs !== undefined && sigs !== null && !Array.isArray(sigs)) return undefined;
  const signatures: Envelope['signatures'] = [];
  for (const s of (sigs as unknown[] | null | undefined) ?? []) {
    if (!isRecord(s)) return undefined;
    const keyid = s.keyid ?? '';
    const sig = s.sig ?? '';
    if (typeof keyid !== 'string' || typeof sig !== 'string') return undefined;
    signatures.push({ keyid, sig });
  }
  return { payloadType, payload: (payload as string | undefined) ?? '', signatures };
}

/** The result of a DSSE verification. */
export interface DsseVerification {
  /** The decoded payload. */
  payload: Uint8Array;
  /** The keys that verified. */
  keys: PemPublicKey[];
}

/**
 * Verifies an envelope with threshold 1: some signature must verify with some key (skipping pairs
 * whose key IDs are both set and differ).
 *
 * @param env - the envelope
 * @param keys - the public keys
 * @param hash - hash for RSA and ECDSA (from the signature descriptor)
 * @returns payload and accepted keys
 * @throws SifError `SIGNATURE_NOT_VALID` with `dsse: verify envelope failed: …`
 */
export async function verifyEnvelope(env: Envelope, keys: readonly PemPublicKey[], hash: HashAlgorithm = 'sha256'): Promise<DsseVerification> {
  const fail = (why: string): never => {
    throw sifError('SIGNATURE_NOT_VALID', `dsse: verify envelope failed: ${why}`);
  };
  if (env.payloadType !== METADATA_MEDIA_TYPE) fail(`mismatched payload type`);
  if (env.signatures.length === 0) fail('no signature found');
  const payload = b64decode(env.payload);
  if (!payload) return fail('illegal base64 data in payload');
  const msg = pae(env.payloadType, payload);
  const accepted: PemPublicKey[] = [];
  const unverified = [...keys];
  for (const s of env.signatures) {
    const sig = b64decode(s.sig);
    if (!sig) return fail('illegal base64 data in signature');
    for (let i = 0; i < unverified.length; i++) {
      const k = unverified[i]!;
      if (s.keyid !== '' && k.keyId !== '' && s.keyid !== k.keyId) continue;
      if (!(await pemVerify(k, hash, msg, sig))) continue;
      unverified.splice(i, 1);
      if (!accepted.some((a) => a.keyId === k.keyId)) accepted.push(k);
      break;
    }
  }
  if (accepted.length < 1) fail(`accepted signatures do not match threshold, Found: 0, Expected 1`);
  return { payload, keys: accepted };
}

/**
 * Signs a payload into an envelope, one signature per key, in key order.
 *
 * @param payload - the metadata JSON bytes
 * @param keys - private keys
 * @param hash - hash for RSA and ECDSA keys (SHA-256 by default, as the reference)
 * @returns the envelope JSON bytes (no trailing newline)
 */
export async function signEnvelope(payload: Uint8Array, keys: readonly PemPrivateKey[], hash: HashAlgorithm = 'sha256'): Promise<Uint8Array> {
  if (keys.length === 0) throw sifError('NO_KEY_MATERIAL', 'key material not provided');
  const msg = pae(METADATA_MEDIA_TYPE, payload);
  const signatures = keys.map((k) => ({ keyid: k.keyId, sig: base64Encode(pemSign(k, NODE_HASH_NAMES[hash], msg)) }));
  const env = { payloadType: METADATA_MEDIA_TYPE, payload: base64Encode(payload), signatures };
  return enc.encode(JSON.stringify(env));
}
