/**
 * A loaded SIF image: header, descriptor table, and reads of object data over a random-access source.
 *
 * @module
 */
import { sifError } from '../errors.js';
import {
  DESCRIPTOR_SIZE,
  groupOf,
  linkOf,
  nameOf,
  parseDescriptor,
  type Link,
  type RawDescriptor,
} from '../format/descriptor.js';
import { HEADER_SIZE, isDeterministic, launchScriptText, parseHeader, type Header } from '../format/header.js';
import { archName, dataTypeName } from '../format/types.js';
import { BlobSource, BytesStore, DEFAULT_CHUNK_SIZE, readChunks, type ByteSource, type ByteStore } from '../io/source.js';
import { checkOptions, is } from '../options.js';

/** A read-only view of one in-use descriptor, with the reference's accessors. */
export class ObjectDescriptor {
  /** @internal */
  constructor(
    /** The raw descriptor fields. */
    readonly raw: Readonly<RawDescriptor>,
    /** The slot index in the descriptor table. */
    readonly slot: number,
    /** ID relative to the lowest in-use ID of the same (raw) group. */
    readonly relativeId: number,
    /** The descriptor's on-disk bytes, when it was loaded and not modified since. */
    readonly bytes?: Uint8Array,
  ) {}

  /** Object ID. */
  get id(): number {
    return this.raw.id;
  }
  /** Data type code. */
  get dataType(): number {
    return this.raw.dataType;
  }
  /** The reference's name of the data type, e.g. `FS`. */
  get dataTypeName(): string {
    return dataTypeName(this.raw.dataType);
  }
  /** Group ID, mask removed; 0 = no group. */
  get groupId(): number {
    return groupOf(this.raw);
  }
  /** The link to an object or group. */
  get link(): Link {
    return linkOf(this.raw);
  }
  /** Absolute file offset. */
  get offset(): number {
    return this.raw.offset;
  }
  /** Size in bytes. */
  get size(): number {
    return this.raw.size;
  }
  /** Creation time, Unix seconds. */
  get createdAt(): number {
    return this.raw.createdAt;
  }
  /** Modification time, Unix seconds. */
  get modifiedAt(): number {
    return this.raw.modifiedAt;
  }
  /** Name, trailing NULs removed. */
  get name(): string {
    return nameOf(this.raw);
  }
}

/** Largest object {@link SifImage.read} returns whole (1 GiB); larger ones are streamed with `chunks()`. */
export const MAX_WHOLE_READ = 1 << 30;

/** Default cap on descriptor slots (real images have 48; the table must also fit in the file). */
export const MAX_DESCRIPTORS = 1 << 20;

/** Options for {@link loadImage}. */
export interface LoadOptions {
  /** Largest descriptor table accepted, in slots (default {@link MAX_DESCRIPTORS}). */
  maxDescriptors?: number;
}

/** A loaded SIF image. Obtain with {@link loadImage}; modify with the functions of `image/edit`. */
export class SifImage {
  /** The bytes behind the image. */
  readonly source: ByteSource | ByteStore;
  /** @internal current header (edits replace it) */
  _header: Header;
  /** @internal every descriptor slot (edits replace the array) */
  _slots: RawDescriptor[];
  /** @internal the on-disk bytes of slots not modified since load (for byte-exact rewrites) */
  _slotBytes: WeakMap<RawDescriptor, Uint8Array>;

  /** @internal use {@link loadImage}, `createImage` or the Node entry's `openImage` */
  constructor(source: ByteSource | ByteStore, header: Header, slots: RawDescriptor[], slotBytes: WeakMap<RawDescriptor, Uint8Array> = new WeakMap()) {
    this.source = source;
    this._header = header;
    this._slots = slots;
    this._slotBytes = slotBytes;
  }

  /** The global header (a copy). */
  get header(): Readonly<Header> {
    return this._header;
  }
  /** The launch script text. */
  get launchScript(): string {
    return launchScriptText(this._header);
  }
  /** The primary architecture (Go name) or `unknown`. */
  get primaryArch(): string {
    return archName(this._header.arch);
  }
  /** The image ID in canonical UUID form. */
  get id(): string {
    return formatUUID(this._header.id);
  }
  /** True for a deterministic image (nil ID, zero times). */
  get deterministic(): boolean {
    return isDeterministic(this._header);
  }
  /** Every descriptor slot, used or not, in table order. */
  get slots(): readonly Readonly<RawDescriptor>[] {
    return this._slots;
  }

  /** The in-use descriptors in slot order. */
  objects(): ObjectDescriptor[] {
    // Computed once per table state (edits replace `_slots`); callers get their own array.
    if (this.#objectsFor !== this._slots) {
      const min = minIds(this._slots);
      const out: ObjectDescriptor[] = [];
      this._slots.forEach((d, i) => {
        if (d.used) out.push(new ObjectDescriptor(d, i, (d.id - min.get(d.groupId)!) >>> 0, this._slotBytes.get(d)));
      });
      this.#objects = out;
      this.#objectsFor = this._slots;
    }
    return [...this.#objects];
  }
  #objects: ObjectDescriptor[] = [];
  #objectsFor: RawDescriptor[] | undefined;

  /** True when the header says every slot is free (the reference's "no objects in image"). */
  get empty(): boolean {
    return this._header.descriptorsFree === this._header.descriptorsTotal;
  }

  /**
   * Selects in-use objects as the reference's `GetDescriptors` does.
   *
   * @param pred - predicate
   * @returns matching descriptors in slot order
   * @throws SifError `NO_OBJECTS` when the image has no objects
   */
  select(pred: (d: ObjectDescriptor) => boolean): ObjectDescriptor[] {
    if (this.empty) throw sifError('NO_OBJECTS', 'no objects in image');
    return this.objects().filter(pred);
  }

  /**
   * The object with ID `id`.
   *
   * @param id - object ID
   * @returns the descriptor
   * @throws SifError `NO_OBJECTS`, `OBJECT_NOT_FOUND`, `INVALID_ARGUMENT`
   */
  get(id: number): ObjectDescriptor {
    if (this.empty) throw sifError('NO_OBJECTS', 'no objects in image');
    if (id === 0) throw sifError('INVALID_ARGUMENT', 'invalid object ID', { objectId: id });
    const found = this.objects().filter((d) => d.id === id);
    if (found.length === 0) throw sifError('OBJECT_NOT_FOUND', 'object not found', { objectId: id });
    if (found.length > 1) throw sifError('INVALID_ARGUMENT', `multiple objects found with ID ${id}`, { objectId: id });
    return found[0]!;
  }

  /**
   * Reads an object's data whole. For large objects use {@link SifImage.chunks}.
   *
   * @param d - the object
   * @returns its bytes
   */
  async read(d: ObjectDescriptor): Promise<Uint8Array> {
    if (d.size > MAX_WHOLE_READ) {
      throw sifError('TOO_LARGE', `object ${d.id}: ${d.size} bytes are too many to read whole (at most ${MAX_WHOLE_READ}): stream it with chunks()`, {
        objectId: d.id,
      });
    }
    return this.source.read(d.offset, d.size);
  }

  /**
   * Streams an object's data.
   *
   * @param d - the object
   * @param chunkSize - chunk size (default 1 MiB)
   * @returns chunks in order
   */
  chunks(d: ObjectDescriptor, chunkSize: number = DEFAULT_CHUNK_SIZE): AsyncGenerator<Uint8Array> {
    return readChunks(this.source, d.offset, d.size, chunkSize);
  }

  /** Releases the source. */
  async close(): Promise<void> {
    await this.source.close();
  }
}

/**
 * The lowest in-use ID of each raw group value (the reference's `minIDs`).
 *
 * @param slots - every descriptor
 * @returns a map from raw groupId to minimum ID
 */
export function minIds(slots: readonly RawDescriptor[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const d of slots) {
    if (!d.used) continue;
    const cur = m.get(d.groupId);
    if (cur === undefined || d.id < cur) m.set(d.groupId, d.id);
  }
  return m;
}

/**
 * Canonical text of 16 UUID bytes.
 *
 * @param b - 16 bytes
 * @returns `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`
 */
export function formatUUID(b: Uint8Array): string {
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * Loads an image: reads and checks the header, then the descriptor table, then checks every in-use
 * descriptor against the file: offsets and sizes inside the file, no object over the header or the
 * descriptor table, no two objects overlapping. Reads only the header and the table.
 *
 * @param input - the bytes: a Uint8Array (used in place), a Blob (read by slices), or any ByteSource
 * @param opts - limits
 * @returns the image
 * @throws SifError with a format code (`TRUNCATED`, `BAD_MAGIC`, `BAD_VERSION`, `BAD_HEADER_FIELD`,
 *   `BAD_DESCRIPTOR_FIELD`, `OUT_OF_BOUNDS`, `OVERLAPPING_OBJECTS`, `TOO_LARGE`)
 */
export async function loadImage(input: ByteSource | ByteStore | Uint8Array | Blob, opts: LoadOptions = {}): Promise<SifImage> {
  checkOptions('loadImage', opts, { maxDescriptors: is.int(0, 2 ** 32) });
  let source: ByteSource | ByteStore;
  if (input instanceof Uint8Array) source = new BytesStore(input);
  else if (typeof Blob !== 'undefined' && input instanceof Blob) source = new BlobSource(input);
  else if (typeof (input as Partial<ByteSource>)?.read === 'function' && typeof (input as Partial<ByteSource>).size === 'number') source = input as ByteSource;
  else throw sifError('INVALID_ARGUMENT', 'loadImage: source must be a Uint8Array, a Blob or a ByteSource');
  const size = source.size;
  if (size < HEADER_SIZE) {
    throw sifError('TRUNCATED', `reading global header: file has ${size} bytes, header needs ${HEADER_SIZE}`);
  }
  const h = parseHeader(await source.read(0, HEADER_SIZE));
  const total = h.descriptorsTotal;
  const tableBytes = total * DESCRIPTOR_SIZE;
  if (h.descriptorsSize >= 0 && tableBytes > h.descriptorsSize) {
    throw sifError(
      'BAD_HEADER_FIELD',
      `reading descriptors: descriptorsSize ${h.descriptorsSize} is smaller than ${total} descriptors of ${DESCRIPTOR_SIZE} bytes`,
    );
  }
  const cap = opts.maxDescriptors ?? MAX_DESCRIPTORS;
  if (total > cap) throw sifError('TOO_LARGE', `reading descriptors: ${total} descriptors exceed the limit of ${cap}`);
  if (tableBytes > 0 && h.descriptorsOffset + tableBytes > size) {
    throw sifError(
      'TRUNCATED',
      `reading descriptors: table of ${total} descriptors at offset ${h.descriptorsOffset} runs past the end of the ${size}-byte file`,
    );
  }
  const table = await source.read(h.descriptorsOffset, tableBytes);
  const slots: RawDescriptor[] = [];
  const slotBytes = new WeakMap<RawDescriptor, Uint8Array>();
  for (let i = 0; i < total; i++) {
    // Unused slots are decoded but not validated: the reference ignores them.
    const d = parseDescriptor(table, i);
    slots.push(d);
    slotBytes.set(d, table.subarray(i * DESCRIPTOR_SIZE, (i + 1) * DESCRIPTOR_SIZE));
  }
  checkObjects(h, slots, size);
  return new SifImage(source, h, slots, slotBytes);
}

function checkObjects(h: Header, slots: RawDescriptor[], fileSize: number): void {
  const tableEnd = h.descriptorsOffset + h.descriptorsTotal * DESCRIPTOR_SIZE;
  const spans: { start: number; end: number; id: number }[] = [];
  for (const d of slots) {
    if (!d.used) continue;
    const what = `object ${d.id}`;
    if (d.offset < 0 || !Number.isSafeInteger(d.offset)) {
      throw sifError('BAD_DESCRIPTOR_FIELD', `${what}: offset ${d.offset} out of range`, { objectId: d.id });
    }
    if (d.size < 0 || !Number.isSafeInteger(d.size)) {
      throw sifError('BAD_DESCRIPTOR_FIELD', `${what}: size ${d.size} out of range`, { objectId: d.id });
    }
    // An empty object may sit past the end: the reference aligns it without writing (a zero-size
    // partition at 4096 alignment ends the file before its offset).
    if (d.size === 0) continue;
    const end = d.offset + d.size;
    if (!Number.isSafeInteger(end) || end > fileSize) {
      throw sifError(
        'OUT_OF_BOUNDS',
        `${what}: data at offset ${d.offset} with size ${d.size} runs past the end of the ${fileSize}-byte file`,
        { objectId: d.id },
      );
    }
    if (d.offset < HEADER_SIZE || (d.offset < tableEnd && end > h.descriptorsOffset)) {
      throw sifError('OUT_OF_BOUNDS', `${what}: data at offset ${d.offset} overlaps the header or the descriptor table`, {
        objectId: d.id,
      });
    }
    spans.push({ start: d.offset, end, id: d.id });
  }
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    const a = spans[i - 1]!;
    const b = spans[i]!;
    if (b.start < a.end) {
      throw sifError('OVERLAPPING_OBJECTS', `object ${b.id}: data overlaps object ${a.id}`, { objectId: b.id });
    }
  }
}
