/**
 * Verification of signed object groups with every rule of the reference's integrity package:
 * tasks per group or object, signature selection, format detection, crypto, the exact-set check, and
 * header, descriptor and object digests. Results are plain data.
 *
 * @module
 */
import { isSifError, sifError, type SifError } from '../errors.js';
import { readSignature } from '../format/extras.js';
import { DataType, HashType } from '../format/types.js';
import type { HashAlgorithm } from '../hash/index.js';
import { updateFromSource } from '../hash/stream.js';
import { createHash, digestBytes, toHex } from '../hash/index.js';
import { descriptorIntegrityBytes } from '../format/descriptor.js';
import { headerIntegrityBytes } from '../format/header.js';
import type { ObjectDescriptor, SifImage } from '../image/image.js';
import type { PgpKey, PgpKeyring, PgpSigner } from '../keys/pgp.js';
import { checkOptions, is, type Check, type OptionSpec } from '../options.js';
import { pemVerify, type PemPublicKey } from '../keys/pem.js';
import { base64Decode } from '../runtime.js';
import { decodeClearsign, verifyClearsign, type ClearsignBlock } from './clearsign.js';
import { parseEnvelope, verifyEnvelope, type Envelope } from './dsse.js';
import { descriptorIntegrity, objectIntegrity, signatureNotFound, signatureNotValid } from './errors.js';
import { DigestCache, type ObjectHasher } from './hasher.js';
import { digestMatches, parseMetadata, type Digest, type ImageMetadata } from './metadata.js';

/** Largest signature object sifkit reads (a signature is a few KiB; this bounds hostile input). */
export const MAX_SIGNATURE_SIZE = 16 << 20;

/** Options for {@link verifyImage}. */
export interface VerifyOptions {
  /** Stops verification (`ABORTED` in the report's errors) when it fires. */
  signal?: AbortSignal;
  /** OpenPGP keys for clear-signed signatures: `{ entries }`, or simply the keys `readPgpKeys` returns. */
  keyring?: PgpKeyring | readonly PgpKey[];
  /** PEM public keys for DSSE signatures. */
  dsseKeys?: PemPublicKey[];
  /**
   * Public keys of certificates the caller has checked, for Apptainer's X.509 signatures (a JSON
   * message in a `SIGNED MESSAGE` block and its signature over the message's SHA-256).
   */
  certificateKeys?: PemPublicKey[];
  /** Verify these groups only. */
  groups?: readonly number[];
  /** Verify signatures covering these objects only. */
  objects?: readonly number[];
  /** Verify legacy (SIFHASH) signatures instead: the primary partition by default, or `objects`/`groups`. */
  legacy?: boolean;
  /** With `legacy`: every non-signature object that has a group. */
  legacyAll?: boolean;
  /** Go on past a failing signature and report every result (sifkit extension). */
  continueOnError?: boolean;
  /** Called with each result as it is made. */
  onResult?: (r: VerifyResult) => void;
  /** Called with the running count of bytes hashed. */
  onProgress?: (bytes: number) => void;
  /** Hashes object data elsewhere (e.g. `workerHasher` of `sifkit/node`); digests then start early and run in parallel. */
  objectHasher?: ObjectHasher;
}

/** The outcome of one signature. */
export interface VerifyResult {
  /** The signature object. */
  signature: ObjectDescriptor;
  /** The signature's format: an OpenPGP clear-signed message, a DSSE envelope, Apptainer's X.509 message, or not recognized. */
  format: 'pgp' | 'dsse' | 'x509' | 'unknown';
  /**
   * The signing key's fingerprint as the signature descriptor records it (upper-case hex), when it
   * records one: who signed, even when no key given can check the signature.
   */
  descriptorFingerprint?: string;
  /** Objects whose header, descriptor and data digests matched, in order. */
  verified: ObjectDescriptor[];
  /** The OpenPGP signer, when a PGP signature verified cryptographically. */
  signer?: PgpSigner;
  /** The PEM keys that verified a DSSE signature. */
  keys?: PemPublicKey[];
  /** Why it failed; absent on success. */
  error?: SifError;
}

/** The outcome of a verification. */
export interface VerifyReport {
  /** True only when every task found signatures and every signature verified every object it covers. */
  verified: boolean;
  /** One result per signature checked. */
  results: VerifyResult[];
  /** Every error, in order (several only with `continueOnError`). */
  errors: SifError[];
}

interface Task {
  kind: 'group' | 'legacyGroup' | 'legacyObject';
  groupId: number;
  objects: ObjectDescriptor[];
  subsetOK: boolean;
}

const HASH_BY_TYPE: Record<number, HashAlgorithm> = { [HashType.SHA256]: 'sha256', [HashType.SHA384]: 'sha384', [HashType.SHA512]: 'sha512' };

function sortedUnique(ids: readonly number[] | undefined): number[] {
  return [...new Set(ids ?? [])].sort((a, b) => a - b);
}

function groupObjects(img: SifImage, g: number): ObjectDescriptor[] {
  const ods = img.select((d) => d.groupId === g);
  if (ods.length === 0) throw sifError('GROUP_NOT_FOUND', 'group not found', { groupId: g });
  return ods;
}

function groupMinId(img: SifImage, g: number): number {
  let min = 0xffffffff;
  for (const d of img.objects()) if (d.groupId === g) min = Math.min(min, d.id);
  if (min === 0xffffffff) throw sifError('GROUP_NOT_FOUND', 'group not found', { groupId: g });
  return min;
}

/** Builds the reference's task list (NewVerifier). */
function buildTasks(img: SifImage, opts: VerifyOptions): Task[] {
  for (const g of opts.groups ?? []) if (g === 0) throw sifError('INVALID_ARGUMENT', 'invalid group ID');
  for (const o of opts.objects ?? []) if (o === 0) throw sifError('INVALID_ARGUMENT', 'invalid object ID');
  let groups = sortedUnique(opts.groups);
  let objects = sortedUnique(opts.objects);
  const legacy = opts.legacy === true || opts.legacyAll === true;
  if (opts.legacyAll) {
    objects = sortedUnique([...objects, ...img.objects().filter((d) => d.dataType !== DataType.Signature && d.groupId !== 0).map((d) => d.id)]);
  }
  if (groups.length === 0 && objects.length === 0) {
    groups = sortedUnique(img.objects().map((d) => d.groupId).filter((g) => g !== 0));
    if (groups.length === 0) throw sifError('NO_GROUPS', 'no groups found');
  }
  const tasks: Task[] = [];
  for (const g of groups) tasks.push({ kind: legacy ? 'legacyGroup' : 'group', groupId: g, objects: groupObjects(img, g), subsetOK: false });
  for (const id of objects) {
    const od = img.get(id);
    if (legacy) tasks.push({ kind: 'legacyObject', groupId: od.groupId, objects: [od], subsetOK: true });
    else {
      groupObjects(img, od.groupId); // the reference builds (and checks) the group first
      tasks.push({ kind: 'group', groupId: od.groupId, objects: [od], subsetOK: true });
    }
  }
  return tasks;
}

async function readSignatureData(img: SifImage, sig: ObjectDescriptor): Promise<Uint8Array> {
  if (sig.size > MAX_SIGNATURE_SIZE) {
    throw sifError('TOO_LARGE', `signature object ${sig.id}: ${sig.size} bytes exceed the limit of ${MAX_SIGNATURE_SIZE}`, {
      signatureId: sig.id,
    });
  }
  return img.read(sig);
}

function isLegacyBlock(b: ClearsignBlock | undefined): boolean {
  if (!b) return false;
  const p = b.plaintext;
  const prefix = 'SIFHASH:\n';
  if (p.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (p[i] !== prefix.charCodeAt(i)) return false;
  return true;
}

/** The signatures a task checks, with their data. */
async function taskSignatures(img: SifImage, t: Task): Promise<{ sig: ObjectDescriptor; data: Uint8Array }[]> {
  const out: { sig: ObjectDescriptor; data: Uint8Array }[] = [];
  if (t.kind === 'legacyObject') {
    const id = t.objects[0]!.id;
    for (const s of img.select((d) => d.dataType === DataType.Signature && !d.link.isGroup && d.link.id === id)) {
      out.push({ sig: s, data: await readSignatureData(img, s) });
    }
    if (out.length === 0) throw signatureNotFound(id, false);
    return out;
  }
  const wantLegacy = t.kind === 'legacyGroup';
  for (const s of img.select((d) => d.dataType === DataType.Signature && d.link.isGroup && d.link.id === t.groupId)) {
    const data = await readSignatureData(img, s);
    if (isLegacyBlock(decodeClearsign(data)) === wantLegacy) out.push({ sig: s, data });
  }
  if (out.length === 0) throw signatureNotFound(t.groupId, true);
  return out;
}

type Decoded = { format: 'dsse'; envelope: Envelope } | { format: 'pgp'; block: ClearsignBlock } | { format: 'x509'; message: Uint8Array; signature: Uint8Array };

/** Apptainer's X.509 signature: two PEM blocks, `SIGNED MESSAGE` (the JSON) and `SIGNATURE`. */
function decodeX509Message(data: Uint8Array): { message: Uint8Array; signature: Uint8Array } | undefined {
  const text = new TextDecoder().decode(data);
  const block = (type: string, from: number): { bytes: Uint8Array; end: number } | undefined => {
    const begin = `-----BEGIN ${type}-----`;
    const end = `-----END ${type}-----`;
    const a = text.indexOf(begin, from);
    const b = a < 0 ? -1 : text.indexOf(end, a);
    if (a < 0 || b < 0) return undefined;
    const bytes = base64Decode(text.slice(a + begin.length, b).replace(/\s+/g, ''));
    return bytes ? { bytes, end: b + end.length } : undefined;
  };
  const m = block('SIGNED MESSAGE', 0);
  const s = m && block('SIGNATURE', m.end);
  return m && s ? { message: m.bytes, signature: s.bytes } : undefined;
}

function detectFormat(sig: ObjectDescriptor, data: Uint8Array, opts: VerifyOptions): Decoded {
  const signatureId = sig.id;
  const envelope = parseEnvelope(data);
  if (envelope) {
    if (!opts.dsseKeys || opts.dsseKeys.length === 0) {
      throw sifError('NO_KEY_MATERIAL', 'key material not provided for DSSE envelope signature', { signatureId });
    }
    return { format: 'dsse', envelope };
  }
  const block = decodeClearsign(data);
  if (block) {
    if (!opts.keyring) throw sifError('NO_KEY_MATERIAL', 'key material not provided for PGP clear-sign signature', { signatureId });
    return { format: 'pgp', block };
  }
  if (startsWith(data, SIGNED_MESSAGE)) {
    // Apptainer's X.509 format (apptainer/sif, 2022): a JSON message and its signature in PEM blocks.
    const x = decodeX509Message(data);
    if (!x) throw sifError('FORMAT_NOT_RECOGNIZED', 'signature format not recognized: X.509 signature without a SIGNATURE block', { signatureId });
    if (!opts.certificateKeys || opts.certificateKeys.length === 0) {
      throw sifError('NO_KEY_MATERIAL', 'key material not provided for X.509 signature (verify it with --certificate)', { signatureId });
    }
    return { format: 'x509', ...x };
  }
  throw sifError('FORMAT_NOT_RECOGNIZED', 'signature format not recognized', { signatureId });
}

const SIGNED_MESSAGE = new TextEncoder().encode('-----BEGIN SIGNED MESSAGE-----');
const startsWith = (data: Uint8Array, prefix: Uint8Array): boolean => data.length >= prefix.length && prefix.every((b, i) => data[i] === b);

/** Checks the crypto and returns the signed plaintext; fills signer/keys in `r`. */
async function decodeMessage(dec: Decoded, hash: HashAlgorithm | undefined, opts: VerifyOptions, r: VerifyResult): Promise<Uint8Array> {
  if (dec.format === 'dsse') {
    if (!hash) throw sifError('SIGNATURE_NOT_VALID', 'dsse: verify envelope failed: hash algorithm unsupported');
    const v = await verifyEnvelope(dec.envelope, opts.dsseKeys!, hash);
    r.keys = v.keys;
    return v.payload;
  }
  if (dec.format === 'x509') {
    // RSA PKCS#1 v1.5 and ECDSA sign the message with SHA-256; Ed25519 signs its SHA-256 digest.
    const digest = await digestBytes('sha256', dec.message);
    for (const key of opts.certificateKeys!) {
      if (await pemVerify(key, 'sha256', key.type === 'ed25519' ? digest : dec.message, dec.signature)) return dec.message;
    }
    throw sifError('SIGNATURE_NOT_VALID', 'x509: signature does not verify with the certificate');
  }
  const v = await verifyClearsign(dec.block, opts.keyring as PgpKeyring);
  r.signer = v.signer;
  return v.plaintext;
}

function fingerprintMatches(signer: PgpSigner | undefined, fp: Uint8Array | undefined): boolean {
  if (!signer) return true;
  if (!fp) return false;
  const hex = Array.from(fp, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
  return hex === signer.fingerprint;
}

async function checkMetadata(img: SifImage, im: ImageMetadata, t: Task, minId: number, h: DigestCache, r: VerifyResult): Promise<void> {
  const abs = im.objects.map((o) => ({ ...o, id: (minId + o.relativeId) >>> 0 }));
  if (!t.subsetOK) {
    const ids = new Map<number, boolean>(abs.map((o) => [o.id, false]));
    for (const od of t.objects) {
      if (!ids.has(od.id)) throw sifError('OBJECT_NOT_SIGNED', `object ${od.id}: object not signed`, { objectId: od.id });
      ids.set(od.id, true);
    }
    const missing = [...ids].filter(([, seen]) => !seen).map(([id]) => id).sort((a, b) => a - b);
    if (missing.length) throw sifError('SIGNED_OBJECT_NOT_FOUND', `object ${missing[0]}: signed object not found`, { objectId: missing[0] });
  }
  const hdr: Digest = im.header.digest;
  if (!(await digestMatches(hdr, (alg) => digestBytes(alg, headerIntegrityBytes(img.header))))) {
    throw sifError('HEADER_INTEGRITY', 'header integrity compromised');
  }
  for (const od of t.objects) {
    const om = abs.find((o) => o.id === od.id);
    if (!om) throw sifError('OBJECT_NOT_SIGNED', `object ${od.id}: object not signed`, { objectId: od.id });
    if (!(await digestMatches(om.descriptorDigest, (alg) => digestBytes(alg, descriptorIntegrityBytes(od.raw, od.relativeId, od.bytes))))) {
      throw descriptorIntegrity(od.id);
    }
    if (!(await digestMatches(om.objectDigest, (alg) => h.object(od, alg)))) throw objectIntegrity(od.id);
    r.verified.push(od);
  }
}

function legacyDigest(plaintext: Uint8Array, alg: HashAlgorithm | undefined): Digest {
  let text = new TextDecoder().decode(plaintext);
  if (text.startsWith('SIFHASH:\n')) text = text.slice('SIFHASH:\n'.length);
  if (text.endsWith('\n')) text = text.slice(0, -1);
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) throw sifError('DIGEST_MALFORMED', 'encoding/hex: invalid byte');
  if (!alg) throw sifError('HASH_UNSUPPORTED', 'hash algorithm unsupported');
  const value = Uint8Array.from(text.match(/../g) ?? [], (x) => parseInt(x, 16));
  const size = { sha256: 32, sha384: 48, sha512: 64 }[alg as 'sha256'];
  if (value.length !== size) throw sifError('DIGEST_MALFORMED', 'digest malformed');
  return { alg, value };
}

async function verifySignature(img: SifImage, t: Task, sig: ObjectDescriptor, dec: Decoded, opts: VerifyOptions, h: DigestCache, r: VerifyResult): Promise<void> {
  if (t.kind === 'group') {
    const meta = readSignature(sig.raw);
    let plaintext: Uint8Array;
    try {
      plaintext = await decodeMessage(dec, HASH_BY_TYPE[meta.hashType], opts, r);
    } catch (e) {
      throw signatureNotValid(sig.id, e);
    }
    let im: ImageMetadata;
    try {
      im = parseMetadata(new TextDecoder().decode(plaintext));
    } catch (e) {
      // The reference wraps every json.Unmarshal failure (digest errors included) as "not valid".
      throw signatureNotValid(sig.id, e);
    }
    const minId = groupMinId(img, t.groupId);
    if (!fingerprintMatches(r.signer, meta.fingerprint)) {
      throw sifError('FINGERPRINT_MISMATCH', 'fingerprint in descriptor does not correspond to signing entity', { signatureId: sig.id });
    }
    await checkMetadata(img, im, t, minId, h, r);
    return;
  }
  let plaintext: Uint8Array;
  try {
    plaintext = await decodeMessage(dec, 'sha256', opts, r);
  } catch (e) {
    throw signatureNotValid(sig.id, e);
  }
  const meta = readSignature(sig.raw);
  if (!fingerprintMatches(r.signer, meta.fingerprint)) {
    throw sifError('FINGERPRINT_MISMATCH', 'fingerprint in descriptor does not correspond to signing entity', { signatureId: sig.id });
  }
  const d = legacyDigest(plaintext, HASH_BY_TYPE[meta.hashType]);
  if (t.kind === 'legacyObject') {
    const od = t.objects[0]!;
    if (!(await digestMatches(d, (alg) => h.object(od, alg)))) throw objectIntegrity(od.id);
    r.verified.push(od);
    return;
  }
  // Legacy group: one digest over the data of every object in the group, in table order.
  const hasher = createHash(d.alg!);
  for (const od of t.objects) {
    let last = 0;
    await updateFromSource(hasher, img.source, od.offset, od.size, (n) => {
      h.addProgress(n - last);
      last = n;
    });
  }
  const v = hasher.digest();
  if (!(v.length === d.value.length && v.every((b, i) => b === d.value[i]))) throw objectIntegrity(0);
  r.verified.push(...t.objects);
}

function descriptorFingerprintOf(sig: ObjectDescriptor): { descriptorFingerprint?: string } {
  try {
    const fp = readSignature(sig.raw).fingerprint;
    return fp ? { descriptorFingerprint: toHex(fp).toUpperCase() } : {};
  } catch {
    return {};
  }
}

const ids = is.array(is.int(0, 0xffffffff));
const SELECTION_SPEC: OptionSpec = { groups: ids, objects: ids, legacy: is.boolean, legacyAll: is.boolean };
const isKeyring: Check = (v) =>
  Array.isArray(v) || (typeof v === 'object' && v !== null && Array.isArray((v as { entries?: unknown }).entries))
    ? undefined
    : 'must be { entries: [{ key, source }] } or an array of OpenPGP keys';
const VERIFY_SPEC: OptionSpec = {
  ...SELECTION_SPEC,
  keyring: isKeyring,
  dsseKeys: is.array(is.object),
  certificateKeys: is.array(is.object),
  continueOnError: is.boolean,
  onResult: is.function,
  onProgress: is.function,
  objectHasher: is.object,
  signal: is.signal,
};

/** A keyring from either form: `{ entries }`, or the keys `readPgpKeys` returns (source: local). */
function asKeyring(k: PgpKeyring | readonly PgpKey[]): PgpKeyring {
  if (!Array.isArray(k)) return k as PgpKeyring;
  return { entries: (k as readonly PgpKey[]).map((key) => ({ key: key.isPrivate() ? key.toPublic() : key, source: 'local' as const })) };
}

function asSifError(e: unknown): SifError {
  if (isSifError(e)) return e;
  return sifError('IO_ERROR', e instanceof Error ? e.message : String(e), { cause: e });
}

/**
 * Verifies an image's signatures.
 *
 * "Verified" means: every task (group or object) has at least one signature of the right kind, and
 * every such signature is cryptographically valid for an accepted key, names the signing key's
 * fingerprint in its descriptor, covers exactly the group's objects (or the selected object), and
 * every covered header, descriptor and data byte matches its signed digest.
 *
 * @param img - the image
 * @param opts - keys, selection, callbacks
 * @returns the report; never throws for image content problems (they are in `errors`)
 */
export async function verifyImage(img: SifImage, opts: VerifyOptions = {}): Promise<VerifyReport> {
  checkOptions('verifyImage', opts, VERIFY_SPEC);
  opts = { ...opts, ...(opts.keyring ? { keyring: asKeyring(opts.keyring) } : {}) };
  const report: VerifyReport = { verified: false, results: [], errors: [] };
  let tasks: Task[];
  try {
    tasks = buildTasks(img, opts);
    const loose = img.select((d) => d.groupId === 0).find((d) => d.dataType !== DataType.Signature);
    if (loose) throw sifError('NO_GROUP', 'non-signature object not associated with object group', { objectId: loose.id });
  } catch (e) {
    report.errors.push(asSifError(e));
    return report;
  }
  const hashing = new DigestCache(img, opts.objectHasher, opts.onProgress, opts.signal);
  // Start the data digests of every group task now (SHA-256, what signers use): with an external
  // hasher they run on other cores while signatures are read and checked.
  hashing.prefetch(tasks.filter((t) => t.kind === 'group').flatMap((t) => t.objects), 'sha256');
  for (const t of tasks) {
    if (opts.signal?.aborted) {
      report.errors.push(sifError('ABORTED', 'verifyImage: aborted', { cause: opts.signal.reason }));
      return report;
    }
    let sigs: { sig: ObjectDescriptor; data: Uint8Array }[];
    try {
      sigs = await taskSignatures(img, t);
    } catch (e) {
      report.errors.push(asSifError(e));
      if (!opts.continueOnError) return report;
      continue;
    }
    for (const { sig, data } of sigs) {
      const fp = descriptorFingerprintOf(sig);
      let dec: Decoded;
      try {
        dec = detectFormat(sig, data, opts);
      } catch (e) {
        // Listed in the report (a signature no key given can check), but not a checked result: the
        // reference reports no result for it either.
        const error = asSifError(e);
        const format = error.code !== 'NO_KEY_MATERIAL' ? 'unknown' : startsWith(data, SIGNED_MESSAGE) ? 'x509' : 'dsse';
        report.results.push({ signature: sig, format, verified: [], error, ...fp });
        report.errors.push(error);
        if (!opts.continueOnError) return report;
        continue;
      }
      const r: VerifyResult = { signature: sig, format: dec.format, verified: [], ...fp };
      try {
        await verifySignature(img, t, sig, dec, opts, hashing, r);
      } catch (e) {
        r.error = asSifError(e);
      }
      report.results.push(r);
      opts.onResult?.(r);
      if (r.error) {
        report.errors.push(r.error);
        if (!opts.continueOnError) return report;
      }
    }
  }
  report.verified = report.errors.length === 0;
  return report;
}

/**
 * The fingerprints in signature descriptors, without any crypto (the reference's `AnySignedBy` /
 * `AllSignedBy`).
 *
 * @param img - the image
 * @param mode - `any`: every fingerprint of any task; `all`: those present in every task
 * @param opts - selection (groups, objects, legacy)
 * @returns sorted unique upper-case fingerprints
 */
export async function signedBy(img: SifImage, mode: 'any' | 'all', opts: Pick<VerifyOptions, 'groups' | 'objects' | 'legacy' | 'legacyAll'> = {}): Promise<string[]> {
  if (mode !== 'any' && mode !== 'all') throw sifError('INVALID_ARGUMENT', `signedBy: mode must be "any" or "all"`);
  checkOptions('signedBy', opts, SELECTION_SPEC);
  const tasks = buildTasks(img, opts);
  const counts = new Map<string, number>();
  for (const t of tasks) {
    let sigs: { sig: ObjectDescriptor }[] = [];
    try {
      sigs = await taskSignatures(img, t);
    } catch (e) {
      if (!isSifError(e, 'SIGNATURE_NOT_FOUND')) throw e;
    }
    const fps = new Set<string>();
    for (const { sig } of sigs) {
      const fp = readSignature(sig.raw).fingerprint;
      if (fp) fps.add(Array.from(fp, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase());
    }
    for (const fp of fps) counts.set(fp, (counts.get(fp) ?? 0) + 1);
  }
  return [...counts]
    .filter(([, n]) => mode === 'any' || n === tasks.length)
    .map(([fp]) => fp)
    .sort();
}
