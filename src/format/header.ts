/**
 * The 128-byte SIF global header.
 *
 * @module
 */
import { sifError } from '../errors.js';
import { defineLayout, decodeField, encodeStruct, type FieldValue } from './layout.js';

/** Size of the global header on disk. */
export const HEADER_SIZE = 128;
/** `SIF_MAGIC\0`. */
export const SIF_MAGIC: Uint8Array = new TextEncoder().encode('SIF_MAGIC\0');
/** `01\0`, the only spec version. */
export const SIF_VERSION: Uint8Array = new Uint8Array([0x30, 0x31, 0]);
/** Unix seconds of Go's zero `time.Time`, written by deterministic images. */
export const GO_ZERO_TIME = -62135596800;
/** Default offset of the descriptor table. */
export const DEFAULT_DESCRIPTORS_OFFSET = 4096;
/** Default descriptor capacity. */
export const DEFAULT_DESCRIPTOR_CAPACITY = 48;
/** Longest launch script the writer accepts (bytes), leaving at least one NUL. */
export const MAX_LAUNCH_SCRIPT = 31;

/** The header layout (shared by parse and write). */
export const headerLayout = defineLayout([
  { name: 'launchScript', kind: 'bytes', length: 32 },
  { name: 'magic', kind: 'bytes', length: 10 },
  { name: 'version', kind: 'bytes', length: 3 },
  { name: 'arch', kind: 'bytes', length: 3 },
  { name: 'id', kind: 'bytes', length: 16 },
  { name: 'createdAt', kind: 'i64' },
  { name: 'modifiedAt', kind: 'i64' },
  { name: 'descriptorsFree', kind: 'i64' },
  { name: 'descriptorsTotal', kind: 'i64' },
  { name: 'descriptorsOffset', kind: 'i64' },
  { name: 'descriptorsSize', kind: 'i64' },
  { name: 'dataOffset', kind: 'i64' },
  { name: 'dataSize', kind: 'i64' },
] as const);

/** The global header, field for field. Byte fields are raw; integers are Unix seconds or byte counts. */
export interface Header {
  /** 32 raw bytes, NUL-padded. */
  launchScript: Uint8Array;
  /** 10 raw bytes. */
  magic: Uint8Array;
  /** 3 raw bytes. */
  version: Uint8Array;
  /** 3 raw bytes: two ASCII digits and NUL. */
  arch: Uint8Array;
  /** 16 raw UUID bytes. */
  id: Uint8Array;
  /** Creation time, Unix seconds. */
  createdAt: number;
  /** Modification time, Unix seconds. */
  modifiedAt: number;
  /** Unused descriptor slots. */
  descriptorsFree: number;
  /** Descriptor slots in all. */
  descriptorsTotal: number;
  /** File offset of the descriptor table. */
  descriptorsOffset: number;
  /** Size in bytes of the descriptor table. */
  descriptorsSize: number;
  /** File offset where object data begins. */
  dataOffset: number;
  /** Bytes from dataOffset to the end of the last object. */
  dataSize: number;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Parses and checks a global header: magic, version, and that the descriptor table's count, offset
 * and size are non-negative 53-bit integers. Bounds against the file size are checked by the loader.
 *
 * @param bytes - at least 128 bytes from file offset 0
 * @returns the header
 * @throws SifError `TRUNCATED`, `BAD_MAGIC`, `BAD_VERSION`, `BAD_HEADER_FIELD`
 */
export function parseHeader(bytes: Uint8Array): Header {
  if (bytes.length < HEADER_SIZE) {
    throw sifError('TRUNCATED', `reading global header: file has ${bytes.length} bytes, header needs ${HEADER_SIZE}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  const get = (name: (typeof headerLayout.fields)[number]['name']): FieldValue => decodeField(view, 0, headerLayout, name);
  const h: Header = {
    launchScript: get('launchScript') as Uint8Array,
    magic: get('magic') as Uint8Array,
    version: get('version') as Uint8Array,
    arch: get('arch') as Uint8Array,
    id: get('id') as Uint8Array,
    createdAt: get('createdAt') as number,
    modifiedAt: get('modifiedAt') as number,
    descriptorsFree: get('descriptorsFree') as number,
    descriptorsTotal: get('descriptorsTotal') as number,
    descriptorsOffset: get('descriptorsOffset') as number,
    descriptorsSize: get('descriptorsSize') as number,
    dataOffset: get('dataOffset') as number,
    dataSize: get('dataSize') as number,
  };
  if (!bytesEqual(h.magic, SIF_MAGIC)) throw sifError('BAD_MAGIC', 'invalid SIF magic');
  if (!bytesEqual(h.version, SIF_VERSION)) throw sifError('BAD_VERSION', 'incompatible SIF version');
  // Only the fields that locate the descriptor table are checked here: the reference ignores the
  // others when reading (times, free count, data offset and size are informational).
  // descriptorsSize only bounds the table window (checked by the loader): a value of at least the
  // table's size is fine, and so is a negative one, which Go's io.NewSectionReader treats as no bound.
  for (const f of ['descriptorsTotal', 'descriptorsOffset'] as const) {
    if (h[f] < 0 || !Number.isSafeInteger(h[f])) {
      throw sifError('BAD_HEADER_FIELD', `header field ${f}: value ${view.getBigInt64(headerLayout.placement[f].offset, true)} out of range`);
    }
  }
  return h;
}

/**
 * Serialises a header to its 128 bytes.
 *
 * @param h - the header
 * @returns 128 bytes
 */
export function encodeHeader(h: Header): Uint8Array {
  return encodeStruct(headerLayout, { ...h });
}

/**
 * The launch script as text, trailing NULs removed (as the reference reads it).
 *
 * @param h - the header
 * @returns the launch script
 */
export function launchScriptText(h: Header): string {
  return trimNulText(h.launchScript);
}

/**
 * Decodes bytes as UTF-8 (lossy, as Go's string conversion prints) after removing trailing NULs.
 *
 * @param raw - the bytes
 * @returns the text
 */
export function trimNulText(raw: Uint8Array): string {
  let end = raw.length;
  while (end > 0 && raw[end - 1] === 0) end--;
  return new TextDecoder().decode(raw.subarray(0, end));
}

/**
 * Whether the header is that of a deterministic image (nil ID and both times Go's zero time).
 *
 * @param h - the header
 * @returns true for a deterministic image
 */
export function isDeterministic(h: Header): boolean {
  return h.id.every((b) => b === 0) && h.createdAt === GO_ZERO_TIME && h.modifiedAt === GO_ZERO_TIME;
}

/** The 61-byte header integrity stream: launch script, magic, version, ID. */
export function headerIntegrityBytes(h: Header): Uint8Array {
  const out = new Uint8Array(61);
  out.set(h.launchScript.subarray(0, 32), 0);
  out.set(h.magic.subarray(0, 10), 32);
  out.set(h.version.subarray(0, 3), 42);
  out.set(h.id.subarray(0, 16), 45);
  return out;
}
