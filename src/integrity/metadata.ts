/**
 * The signed metadata of the reference's integrity package: digests of the header, of each object's
 * descriptor and of its data, and the compact JSON message that carries them.
 *
 * @module
 */
import { sifError, type SifError } from '../errors.js';
import { descriptorIntegrityBytes } from '../format/descriptor.js';
import { headerIntegrityBytes } from '../format/header.js';
import { DIGEST_SIZE, HASH_ALGORITHMS, digestBytes, fromHex, toHex, type HashAlgorithm } from '../hash/index.js';
import { digestRange, type ProgressFn } from '../hash/stream.js';
import { goJsonSyntaxError } from './gojson.js';
import type { ObjectDescriptor, SifImage } from '../image/image.js';

/** A digest: algorithm and value. `alg` is undefined for a digest the JSON left out (never matches). */
export interface Digest {
  /** Algorithm, or undefined when absent. */
  alg: HashAlgorithm | undefined;
  /** Digest bytes. */
  value: Uint8Array;
}

/** Metadata of one signed object. */
export interface ObjectMetadata {
  /** Object ID minus the group's lowest object ID. */
  relativeId: number;
  /** Digest of the 557-byte descriptor integrity stream. */
  descriptorDigest: Digest;
  /** Digest of the object data. */
  objectDigest: Digest;
}

/** The signed message. */
export interface ImageMetadata {
  /** Format version (1). */
  version: number;
  /** Header metadata. */
  header: {
    /** Digest of the 61-byte header integrity stream. */
    digest: Digest;
  };
  /** Signed objects, ascending ID. */
  objects: ObjectMetadata[];
}

/**
 * `<alg>:<hex>` as the reference writes it.
 *
 * @param d - the digest
 * @returns the text
 */
export function digestText(d: Digest): string {
  return `${d.alg}:${toHex(d.value)}`;
}

/**
 * Parses a digest string as the reference's `digest.UnmarshalJSON` does.
 *
 * @param v - the JSON value
 * @returns the digest
 * @throws SifError `DIGEST_MALFORMED` or `HASH_UNSUPPORTED`
 */
export function parseDigest(v: unknown): Digest {
  if (v === null) v = '';
  if (typeof v !== 'string') throw sifError('DIGEST_MALFORMED', 'digest malformed: not a string');
  const parts = v.split(':');
  if (parts.length !== 2) throw sifError('DIGEST_MALFORMED', 'digest malformed');
  const value = fromHex(parts[1]!);
  if (!value) throw sifError('DIGEST_MALFORMED', `digest malformed: ${goHexError(parts[1]!)}`);
  const alg = HASH_ALGORITHMS.find((a) => a === parts[0]);
  if (!alg) throw sifError('HASH_UNSUPPORTED', 'hash algorithm unsupported');
  if (value.length !== DIGEST_SIZE[alg]) throw sifError('DIGEST_MALFORMED', 'digest malformed');
  return { alg, value };
}

/** Go's `encoding/hex` error for text that does not decode (its wording, for identical messages). */
function goHexError(text: string): string {
  const b = new TextEncoder().encode(text);
  const valid = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
  const invalid = (c: number): string => {
    const q = c >= 0x20 && c < 0x7f ? (c === 0x27 ? "'\\''" : `'${String.fromCharCode(c)}'`) : `'\\x${c.toString(16).padStart(2, '0')}'`;
    return `encoding/hex: invalid byte: U+${c.toString(16).toUpperCase().padStart(4, '0')} ${q}`;
  };
  let j = 1;
  for (; j < b.length; j += 2) {
    if (!valid(b[j - 1]!)) return invalid(b[j - 1]!);
    if (!valid(b[j]!)) return invalid(b[j]!);
  }
  if (b.length % 2 === 1) return valid(b[j - 1]!) ? 'encoding/hex: odd length hex string' : invalid(b[j - 1]!);
  return 'encoding/hex: invalid byte';
}

/** Go's name for the JSON kind of a value in unmarshal type errors. */
function goKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return `number ${String(v)}`;
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

/**
 * The compact JSON the reference signs (Go `json.Marshal` of its imageMetadata; no spaces).
 *
 * @param im - the metadata
 * @returns the JSON text
 */
export function encodeMetadata(im: ImageMetadata): string {
  const objects = im.objects.map(
    (o) =>
      `{"relativeId":${o.relativeId},"descriptorDigest":"${digestText(o.descriptorDigest)}","objectDigest":"${digestText(o.objectDigest)}"}`,
  );
  return `{"version":${im.version},"header":{"digest":"${digestText(im.header.digest)}"},"objects":${
    im.objects.length ? `[${objects.join(',')}]` : 'null'
  }}`;
}

/** Largest signed message sifkit parses. */
export const MAX_METADATA_JSON = 16 << 20;
/** Deepest JSON nesting accepted (Go's encoding/json refuses more: "exceeded max depth"). */
export const MAX_JSON_DEPTH = 10000;

/**
 * The deepest nesting of arrays and objects in JSON text (strings skipped).
 *
 * @param text - JSON text
 * @returns the depth
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

function field(obj: Record<string, unknown>, name: string): unknown {
  // Go's encoding/json matches field names case-insensitively; with duplicates the last wins.
  let found: unknown = undefined;
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === name.toLowerCase()) found = v;
  return found;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeError(what: string): SifError {
  return sifError('SIGNATURE_NOT_VALID', `json: cannot unmarshal ${what}`);
}

const absentDigest = (): Digest => ({ alg: undefined, value: new Uint8Array() });

/**
 * Parses the signed JSON as the reference's `json.Unmarshal` into imageMetadata does: field names
 * case-insensitive, unknown fields ignored, missing fields zero.
 *
 * @param text - the JSON
 * @returns the metadata
 * @throws SifError `SIGNATURE_NOT_VALID` (bad JSON or types), `DIGEST_MALFORMED`, `HASH_UNSUPPORTED`
 */
export function parseMetadata(text: string): ImageMetadata {
  if (text.length > MAX_METADATA_JSON) throw sifError('TOO_LARGE', `signed metadata of ${text.length} bytes exceeds the limit`);
  // Go validates the whole text first; its scanner's message is what the reference prints.
  const syntax = goJsonSyntaxError(new TextEncoder().encode(text));
  if (syntax) throw sifError('SIGNATURE_NOT_VALID', syntax);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw sifError('SIGNATURE_NOT_VALID', `invalid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (v === null) return { version: 0, header: { digest: absentDigest() }, objects: [] };
  if (!isObject(v)) throw typeError(`${goKind(v).split(' ')[0]} into Go value of type integrity.imageMetadata`);
  const version = field(v, 'version');
  if (version !== undefined && version !== null && (typeof version !== 'number' || !Number.isInteger(version))) {
    throw typeError(`${goKind(version)} into Go struct field imageMetadata.version of type integrity.mdVersion`);
  }
  const header = field(v, 'header');
  let headerDigest = absentDigest();
  if (header !== undefined && header !== null) {
    if (!isObject(header)) throw typeError(`${goKind(header).split(' ')[0]} into Go struct field imageMetadata.header of type integrity.headerMetadata`);
    const d = field(header, 'digest');
    if (d !== undefined) headerDigest = parseDigest(d);
  }
  const objs = field(v, 'objects');
  const objects: ObjectMetadata[] = [];
  if (objs !== undefined && objs !== null) {
    if (!Array.isArray(objs)) throw typeError(`${goKind(objs).split(' ')[0]} into Go struct field imageMetadata.objects of type []integrity.objectMetadata`);
    for (const o of objs) {
      if (o === null) {
        objects.push({ relativeId: 0, descriptorDigest: absentDigest(), objectDigest: absentDigest() });
        continue;
      }
      if (!isObject(o)) throw typeError(`${goKind(o).split(' ')[0]} into Go struct field imageMetadata.objects of type integrity.objectMetadata`);
      const rid = field(o, 'relativeId');
      if (rid !== undefined && rid !== null && (typeof rid !== 'number' || !Number.isInteger(rid) || rid < 0 || rid > 0xffffffff)) {
        throw typeError(`${goKind(rid)} into Go struct field objectMetadata.objects.relativeId of type uint32`);
      }
      const dd = field(o, 'descriptorDigest');
      const od = field(o, 'objectDigest');
      objects.push({
        relativeId: typeof rid === 'number' ? rid : 0,
        descriptorDigest: dd === undefined ? absentDigest() : parseDigest(dd),
        objectDigest: od === undefined ? absentDigest() : parseDigest(od),
      });
    }
  }
  return { version: typeof version === 'number' ? version : 0, header: { digest: headerDigest }, objects };
}

/**
 * Digest of the header integrity stream.
 *
 * @param img - the image
 * @param alg - algorithm
 * @returns the digest
 */
export function headerDigest(img: SifImage, alg: HashAlgorithm): Digest {
  return { alg, value: digestBytes(alg, headerIntegrityBytes(img.header)) };
}

/**
 * Digest of an object's descriptor integrity stream.
 *
 * @param d - the object
 * @param alg - algorithm
 * @returns the digest
 */
export function descriptorDigest(d: ObjectDescriptor, alg: HashAlgorithm): Digest {
  return { alg, value: digestBytes(alg, descriptorIntegrityBytes(d.raw, d.relativeId, d.bytes)) };
}

/**
 * Digest of an object's data, streamed.
 *
 * @param img - the image
 * @param d - the object
 * @param alg - algorithm
 * @param onProgress - progress callback (bytes of this object)
 * @returns the digest
 */
export async function objectDigest(img: SifImage, d: ObjectDescriptor, alg: HashAlgorithm, onProgress?: ProgressFn): Promise<Digest> {
  return { alg, value: await digestRange(alg, img.source, d.offset, d.size, onProgress) };
}

/**
 * Computes the metadata the reference signs for objects of one group.
 *
 * @param img - the image
 * @param minId - the group's lowest object ID
 * @param objects - the objects, ascending ID
 * @param alg - algorithm (the reference signs with SHA-256)
 * @param onProgress - progress callback
 * @param digests - where object digests come from (default: hashed inline)
 * @returns the metadata
 */
export async function computeMetadata(
  img: SifImage,
  minId: number,
  objects: readonly ObjectDescriptor[],
  alg: HashAlgorithm = 'sha256',
  onProgress?: ProgressFn,
  digests: (d: ObjectDescriptor) => Promise<Uint8Array> = async (d) => (await objectDigest(img, d, alg, onProgress)).value,
): Promise<ImageMetadata> {
  const im: ImageMetadata = { version: 1, header: { digest: headerDigest(img, alg) }, objects: [] };
  for (const d of objects) {
    if (d.id < minId) throw sifError('MIN_ID_INVALID', 'minimum ID value invalid', { objectId: d.id });
    im.objects.push({
      relativeId: d.id - minId,
      descriptorDigest: descriptorDigest(d, alg),
      objectDigest: { alg, value: await digests(d) },
    });
  }
  return im;
}

/**
 * Whether a digest equals the given bytes' digest under its algorithm.
 *
 * @param d - the expected digest
 * @param actual - computes the actual digest for an algorithm
 * @returns true when equal
 * @throws SifError `HASH_UNSUPPORTED` when the digest has no algorithm
 */
export async function digestMatches(d: Digest, actual: (alg: HashAlgorithm) => Promise<Uint8Array> | Uint8Array): Promise<boolean> {
  if (!d.alg) throw sifError('HASH_UNSUPPORTED', 'hash algorithm unavailable');
  const v = await actual(d.alg);
  return v.length === d.value.length && v.every((b, i) => b === d.value[i]);
}
