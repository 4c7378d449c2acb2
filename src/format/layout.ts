/**
 * A tiny declarative codec for packed little-endian structs (Go `encoding/binary` layout, no padding).
 * One table of fields per struct serves both parsing and writing.
 *
 * @module
 */

/** The type of one field. `bytes` fields are copied as raw bytes of fixed length. */
export type FieldKind = 'i32' | 'u32' | 'i64' | 'bool' | 'bytes';

/** One field of a layout. */
export interface FieldSpec<N extends string = string> {
  /** Field name, as used in decoded records. */
  readonly name: N;
  /** Field kind. */
  readonly kind: FieldKind;
  /** Length in bytes (only for `bytes`). */
  readonly length?: number;
}

/** Decoded value of a field. */
export type FieldValue = number | boolean | Uint8Array;

/** Where a field lies within its struct. */
export interface FieldPlacement {
  /** Byte offset of the field from the start of the struct. */
  readonly offset: number;
  /** Size in bytes. */
  readonly size: number;
}

/** A compiled layout: total size and per-field placement. */
export interface Layout<N extends string> {
  /** Total packed size in bytes. */
  readonly size: number;
  /** The fields in order. */
  readonly fields: readonly FieldSpec<N>[];
  /** Offset and size of each field by name. */
  readonly placement: Readonly<Record<N, FieldPlacement>>;
}

const kindSize: Record<Exclude<FieldKind, 'bytes'>, number> = { i32: 4, u32: 4, i64: 8, bool: 1 };

/**
 * Compiles a field table into a {@link Layout}.
 *
 * @param fields - the fields, in on-disk order
 * @returns the layout
 */
export function defineLayout<N extends string>(fields: readonly FieldSpec<N>[]): Layout<N> {
  const placement = {} as Record<N, FieldPlacement>;
  let offset = 0;
  for (const f of fields) {
    const size = f.kind === 'bytes' ? (f.length ?? 0) : kindSize[f.kind];
    placement[f.name] = { offset, size };
    offset += size;
  }
  return { size: offset, fields, placement };
}

/**
 * Reads one field at `base` in `bytes`.
 *
 * @param view - a DataView over the bytes
 * @param base - offset of the struct in the view
 * @param layout - the layout
 * @param name - the field
 * @returns the value; an int64 outside ±2^53 comes back as the nearest double (not exact: callers
 *   that need exact bytes keep the raw struct, and bounds checks reject such values as offsets)
 */
export function decodeField<N extends string>(view: DataView, base: number, layout: Layout<N>, name: N): FieldValue {
  const spec = layout.fields.find((f) => f.name === name)!;
  const { offset, size } = layout.placement[name];
  const at = base + offset;
  switch (spec.kind) {
    case 'i32':
      return view.getInt32(at, true);
    case 'u32':
      return view.getUint32(at, true);
    case 'bool':
      return view.getUint8(at) !== 0;
    case 'i64': {
      const lo = view.getUint32(at, true);
      const hi = view.getInt32(at + 4, true);
      // Fast path: values within ±2^53 need no BigInt.
      if (hi >= -0x200000 && hi < 0x200000) return hi * 0x100000000 + lo;
      return Number(view.getBigInt64(at, true));
    }
    case 'bytes':
      return new Uint8Array(view.buffer, view.byteOffset + at, size).slice();
  }
}

/**
 * Writes one field at `base` in `view`.
 *
 * @param view - a DataView over the destination
 * @param base - offset of the struct in the view
 * @param layout - the layout
 * @param name - the field
 * @param value - the value; bytes shorter than the field are zero-padded
 */
export function encodeField<N extends string>(
  view: DataView,
  base: number,
  layout: Layout<N>,
  name: N,
  value: FieldValue,
): void {
  const spec = layout.fields.find((f) => f.name === name)!;
  const { offset, size } = layout.placement[name];
  const at = base + offset;
  switch (spec.kind) {
    case 'i32':
      view.setInt32(at, value as number, true);
      return;
    case 'u32':
      view.setUint32(at, value as number, true);
      return;
    case 'bool':
      view.setUint8(at, value ? 1 : 0);
      return;
    case 'i64':
      view.setBigInt64(at, BigInt.asIntN(64, BigInt(value as number)), true);
      return;
    case 'bytes': {
      const dst = new Uint8Array(view.buffer, view.byteOffset + at, size);
      dst.fill(0);
      dst.set((value as Uint8Array).subarray(0, size));
      return;
    }
  }
}

/**
 * Decodes every field of a struct.
 *
 * @param bytes - source bytes
 * @param base - offset of the struct
 * @param layout - the layout
 * @returns a record of field values
 */
export function decodeStruct<N extends string>(bytes: Uint8Array, base: number, layout: Layout<N>): Record<N, FieldValue> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = {} as Record<N, FieldValue>;
  for (const f of layout.fields) out[f.name] = decodeField(view, base, layout, f.name);
  return out;
}

/**
 * Encodes every field of a struct into a new buffer of `layout.size` bytes.
 *
 * @param layout - the layout
 * @param record - the values
 * @returns the packed bytes
 */
export function encodeStruct<N extends string>(layout: Layout<N>, record: Record<N, FieldValue>): Uint8Array {
  const out = new Uint8Array(layout.size);
  const view = new DataView(out.buffer);
  for (const f of layout.fields) encodeField(view, 0, layout, f.name, record[f.name]);
  return out;
}
