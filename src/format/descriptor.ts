/**
 * The 585-byte object descriptor.
 *
 * @module
 */
import { defineLayout, decodeField, encodeField, encodeStruct, type FieldValue } from './layout.js';
import { trimNulText } from './header.js';

/** Size of one descriptor on disk. */
export const DESCRIPTOR_SIZE = 585;
/** Size of the descriptor integrity stream. */
export const DESCRIPTOR_INTEGRITY_SIZE = 557;
/** High nibble that marks a group ID (stored in `groupId` always, and in `linkedId` for group links). */
export const GROUP_MASK = 0xf0000000;
/** Length of the name field. */
export const NAME_SIZE = 128;
/** Length of the extra (type-specific metadata) field. */
export const EXTRA_SIZE = 384;

/** The descriptor layout (shared by parse and write). */
export const descriptorLayout = defineLayout([
  { name: 'dataType', kind: 'i32' },
  { name: 'used', kind: 'bool' },
  { name: 'id', kind: 'u32' },
  { name: 'groupId', kind: 'u32' },
  { name: 'linkedId', kind: 'u32' },
  { name: 'offset', kind: 'i64' },
  { name: 'size', kind: 'i64' },
  { name: 'sizeWithPadding', kind: 'i64' },
  { name: 'createdAt', kind: 'i64' },
  { name: 'modifiedAt', kind: 'i64' },
  { name: 'uid', kind: 'i64' },
  { name: 'gid', kind: 'i64' },
  { name: 'name', kind: 'bytes', length: NAME_SIZE },
  { name: 'extra', kind: 'bytes', length: EXTRA_SIZE },
] as const);

/** A descriptor, field for field, as stored. `groupId` and `linkedId` are raw (with the group mask). */
export interface RawDescriptor {
  /** Data type code. */
  dataType: number;
  /** Whether the slot is in use. */
  used: boolean;
  /** Object ID (slot index + 1 when written by the reference). */
  id: number;
  /** Raw group ID: `group | 0xF0000000`; `0xF0000000` alone = no group. */
  groupId: number;
  /** Raw link: 0 none, an object ID, or `group | 0xF0000000`. */
  linkedId: number;
  /** Absolute file offset of the data. */
  offset: number;
  /** Data size in bytes. */
  size: number;
  /** Size plus the alignment gap before the data. */
  sizeWithPadding: number;
  /** Unix seconds. */
  createdAt: number;
  /** Unix seconds. */
  modifiedAt: number;
  /** Deprecated, written 0. */
  uid: number;
  /** Deprecated, written 0. */
  gid: number;
  /** 128 raw bytes, NUL-padded. */
  name: Uint8Array;
  /** 384 raw bytes of type-specific metadata. */
  extra: Uint8Array;
}

/**
 * An all-zero (unused) descriptor.
 *
 * @returns a fresh unused descriptor
 */
export function emptyDescriptor(): RawDescriptor {
  return {
    dataType: 0,
    used: false,
    id: 0,
    groupId: 0,
    linkedId: 0,
    offset: 0,
    size: 0,
    sizeWithPadding: 0,
    createdAt: 0,
    modifiedAt: 0,
    uid: 0,
    gid: 0,
    name: new Uint8Array(NAME_SIZE),
    extra: new Uint8Array(EXTRA_SIZE),
  };
}

/**
 * Parses descriptor slot `index` from a descriptor table. int64 fields beyond ±2^53 decode to the
 * nearest double; keep the raw bytes where exactness matters (integrity streams, rewrites).
 *
 * @param table - the descriptor table bytes
 * @param index - the slot
 * @returns the descriptor
 */
export function parseDescriptor(table: Uint8Array, index: number): RawDescriptor {
  const base = index * DESCRIPTOR_SIZE;
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const out = {} as Record<string, unknown>;
  for (const f of descriptorLayout.fields) out[f.name] = decodeField(view, base, descriptorLayout, f.name);
  return out as unknown as RawDescriptor;
}

/**
 * Re-encodes some fields of a descriptor over its original bytes, leaving every other byte exactly
 * as it was.
 *
 * @param base - the original 585 bytes
 * @param d - the new values
 * @param fields - which fields to write
 * @returns new 585 bytes
 */
export function patchDescriptor(base: Uint8Array, d: RawDescriptor, fields: readonly (keyof RawDescriptor)[]): Uint8Array {
  const out = base.slice(0, DESCRIPTOR_SIZE);
  const view = new DataView(out.buffer);
  for (const f of fields) encodeField(view, 0, descriptorLayout, f, d[f] as FieldValue);
  return out;
}

/**
 * Serialises a descriptor to its 585 bytes.
 *
 * @param d - the descriptor
 * @returns 585 bytes
 */
export function encodeDescriptor(d: RawDescriptor): Uint8Array {
  return encodeStruct(descriptorLayout, { ...d });
}

/**
 * The 557-byte descriptor integrity stream: every field but id, groupId, offset, sizeWithPadding and
 * modifiedAt, with the ID replaced by `relativeId`.
 *
 * @param d - the descriptor
 * @param relativeId - id minus the lowest in-use ID of the descriptor's group
 * @param raw - the descriptor's on-disk 585 bytes, when known (used in preference to `d`)
 * @returns 557 bytes
 */
export function descriptorIntegrityBytes(d: RawDescriptor, relativeId: number, raw?: Uint8Array): Uint8Array {
  const out = new Uint8Array(DESCRIPTOR_INTEGRITY_SIZE);
  const v = new DataView(out.buffer);
  if (raw) {
    // From the on-disk bytes: exact even for int64 values beyond ±2^53.
    out.set(raw.subarray(0, 4), 0);
    // `used` is a Go bool: any non-zero byte reads as true and is written back as 1.
    out[4] = raw[4] !== 0 ? 1 : 0;
    v.setUint32(5, relativeId >>> 0, true);
    out.set(raw.subarray(13, 17), 9);
    out.set(raw.subarray(25, 33), 13);
    out.set(raw.subarray(41, 49), 21);
    out.set(raw.subarray(57, 585), 29);
    return out;
  }
  v.setInt32(0, d.dataType, true);
  v.setUint8(4, d.used ? 1 : 0);
  v.setUint32(5, relativeId >>> 0, true);
  v.setUint32(9, d.linkedId >>> 0, true);
  v.setBigInt64(13, BigInt(d.size), true);
  v.setBigInt64(21, BigInt(d.createdAt), true);
  v.setBigInt64(29, BigInt(d.uid), true);
  v.setBigInt64(37, BigInt(d.gid), true);
  out.set(d.name.subarray(0, NAME_SIZE), 45);
  out.set(d.extra.subarray(0, EXTRA_SIZE), 173);
  return out;
}

/**
 * The group of a descriptor, mask removed (0 = no group).
 *
 * @param d - the descriptor
 * @returns the group ID
 */
export function groupOf(d: RawDescriptor): number {
  return (d.groupId & ~GROUP_MASK) >>> 0;
}

/** A descriptor's link: nothing, an object, or a group. */
export interface Link {
  /** The linked object or group ID (0 = none). */
  id: number;
  /** True when `id` is a group. */
  isGroup: boolean;
}

/**
 * The link of a descriptor, as the reference decodes it.
 *
 * @param d - the descriptor
 * @returns the link
 */
export function linkOf(d: RawDescriptor): Link {
  const raw = d.linkedId >>> 0;
  return { id: (raw & ~GROUP_MASK) >>> 0, isGroup: (raw & GROUP_MASK) >>> 0 === GROUP_MASK };
}

/**
 * The object name, trailing NULs removed.
 *
 * @param d - the descriptor
 * @returns the name
 */
export function nameOf(d: RawDescriptor): string {
  return trimNulText(d.name);
}
