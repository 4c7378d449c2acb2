/**
 * Creating and modifying images, as the reference (sylabs/sif v2.24) does it, byte for byte:
 * create, add objects, delete objects (optionally zeroing and compacting), set the primary
 * partition, set metadata. Every edit goes through a {@link WriteJournal}: on failure the file is
 * put back exactly as it was, and the in-memory image is unchanged.
 *
 * @module
 */
import { parse as parseUUID, v4 as uuidv4 } from 'uuid';
import { sifError } from '../errors.js';
import {
  DESCRIPTOR_SIZE,
  GROUP_MASK,
  NAME_SIZE,
  emptyDescriptor,
  encodeDescriptor,
  patchDescriptor,
  type RawDescriptor,
} from '../format/descriptor.js';
import {
  encodeCryptoMessage,
  encodeOCIDigest,
  encodePartition,
  encodeSBOM,
  encodeSignature,
  readPartition,
} from '../format/extras.js';
import {
  DEFAULT_DESCRIPTOR_CAPACITY,
  DEFAULT_DESCRIPTORS_OFFSET,
  GO_ZERO_TIME,
  SIF_MAGIC,
  SIF_VERSION,
  encodeHeader,
  isDeterministic,
  type Header,
} from '../format/header.js';
import { ARCH_UNKNOWN, DataType, PartType } from '../format/types.js';
import type { FSType, FormatType, HashType, MessageType } from '../format/types.js';
import { createHash, toHex } from '../hash/index.js';
import { checkOptions, is, throwIfAborted, type Check, type OptionSpec } from '../options.js';
import type { ByteSource, ByteStore } from '../io/source.js';
import { defaultEditLog, memoryScratch, WriteJournal, type DurableLog, type ScratchFactory } from './journal.js';
import { MAX_DESCRIPTORS, SifImage, type ObjectDescriptor } from './image.js';

/** A time: Unix seconds or a Date. */
export type TimeInput = number | Date;

/** How an edit picks its timestamp. */
export interface TimeOptions {
  /** Use Go's zero time (what deterministic images carry). */
  deterministic?: boolean;
  /** Use this time. Default: now, or the zero time when the image is deterministic. */
  time?: TimeInput;
}

/** Common options of every edit. */
export interface EditOptions extends TimeOptions {
  /** Stops the edit (rolled back, `ABORTED`) when it fires. */
  signal?: AbortSignal;
  /** Called as object data is written or zeroed, with the bytes done so far. */
  onProgress?: (bytes: number) => void;
  /**
   * Where overwritten bytes are kept when there is no durable log. Default: memory — used only for
   * stores that have no log of their own (files opened by the Node entry keep a crash journal).
   */
  scratch?: ScratchFactory;
  /**
   * A durable log for crash safety. Default: the store's own (a Node `FileStore` writes a crash
   * journal beside the image, or a private temporary file where it cannot), else none.
   */
  durable?: DurableLog;
}

/** Object data: bytes, a random-access source, or a stream of chunks. */
export type ObjectData = Uint8Array | ByteSource | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Type-specific metadata for a new object. At most one applies, matching the data type. */
export interface ObjectMetadataInput {
  /** Partition metadata (data type Partition). `arch` is a Go name such as `amd64`. */
  partition?: {
    /** File system type ({@link FSType}). */
    fsType: number;
    /** Partition type ({@link PartType}). */
    partType: number;
    /** Go architecture name, e.g. `amd64`. */
    arch: string;
  };
  /** Signature metadata (data type Signature). */
  signature?: {
    /** Hash type ({@link HashType}). */
    hashType: number;
    /** Signer fingerprint (20 bytes for OpenPGP v4). */
    fingerprint?: Uint8Array;
  };
  /** Cryptographic message metadata. */
  cryptoMessage?: {
    /** Format type ({@link FormatType}). */
    formatType: number;
    /** Message type ({@link MessageType}). */
    messageType: number;
  };
  /** SBOM format code. */
  sbom?: number;
  /** Raw extra bytes (up to 384), the reference's `OptMetadata`. */
  extra?: Uint8Array;
}

/** A new data object. */
export interface ObjectInput extends ObjectMetadataInput {
  /** Data type code ({@link DataType}). */
  dataType: number;
  /** The data. */
  data: ObjectData;
  /** Group ID (default 1); `null` for no group. */
  group?: number | null;
  /** Link to an object ID, or to a group with `{ group: N }`. */
  link?:
    | number
    | {
        /** The linked group's ID. */
        group: number;
      };
  /** Object name (at most 128 bytes). */
  name?: string;
  /** Alignment in bytes (default 4096 for partitions, none otherwise). */
  alignment?: number;
  /** Object time (default: the edit's time). */
  time?: TimeInput;
}

/** Options for {@link createImage}. */
export interface CreateOptions {
  /** Launch script, at most 31 bytes. */
  launchScript?: string;
  /** Image ID (UUID text). Default: a random v4 UUID (nil with `deterministic`). */
  id?: string;
  /** Default to the nil ID and Go's zero time (explicit `id` / `time` still apply). */
  deterministic?: boolean;
  /** Creation time. Default: now (zero with `deterministic`). */
  time?: TimeInput;
  /** Descriptor slots (default 48). */
  capacity?: number;
  /** Objects to add at creation. */
  objects?: ObjectInput[];
}

/** Options for {@link deleteObjects}. */
export interface DeleteOptions extends EditOptions {
  /** Overwrite the object data with zeros. */
  zero?: boolean;
  /** Truncate free space at the end of the file. */
  compact?: boolean;
}

const MAX_GROUP = ~GROUP_MASK >>> 0;
const TIME_SPEC: OptionSpec = { deterministic: is.boolean, time: is.time };
const EDIT_SPEC: OptionSpec = { ...TIME_SPEC, scratch: is.function, durable: is.object, signal: is.signal, onProgress: is.function };
const DELETE_SPEC: OptionSpec = { ...EDIT_SPEC, zero: is.boolean, compact: is.boolean };
const isData: Check = (v) =>
  v instanceof Uint8Array ||
  (typeof v === 'object' && v !== null && (typeof (v as ByteSource).readInto === 'function' || Symbol.asyncIterator in v || Symbol.iterator in v))
    ? undefined
    : 'must be a Uint8Array, a ByteSource or an iterable of Uint8Array chunks';
const isGroup: Check = (v) => (v === null ? undefined : is.int(1, MAX_GROUP)(v));
const isLink: Check = (v) =>
  typeof v === 'number' ? is.int(1, MAX_GROUP)(v) : typeof v === 'object' && v !== null && Object.keys(v).join() === 'group' ? isGroup((v as { group: unknown }).group) : 'must be an object ID or { group: ID }';
const isAlignment: Check = (v) =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= 2 ** 30 && (v & (v - 1)) === 0 ? undefined : 'must be 0 or a power of two up to 2^30';
const INPUT_SPEC: OptionSpec = {
  dataType: is.oneOf(Object.values(DataType)),
  data: isData,
  group: isGroup,
  link: isLink,
  name: is.string,
  alignment: isAlignment,
  time: is.time,
  partition: is.object,
  signature: is.object,
  cryptoMessage: is.object,
  sbom: is.int(0, 0x7fffffff),
  extra: is.bytes,
};

function checkInput(where: string, input: unknown): void {
  checkOptions(where, input, INPUT_SPEC, 'input');
  const i = input as Partial<ObjectInput> | undefined;
  if (i?.dataType === undefined) throw sifError('INVALID_ARGUMENT', `${where}: input.dataType is required`);
  if (i.data === undefined) throw sifError('INVALID_ARGUMENT', `${where}: input.data is required`);
}

function unixSeconds(t: TimeInput): number {
  return typeof t === 'number' ? Math.trunc(t) : Math.floor(t.getTime() / 1000);
}

function editTime(h: Header, opts: TimeOptions): number {
  if (opts.deterministic) return GO_ZERO_TIME;
  if (opts.time !== undefined) return unixSeconds(opts.time);
  return isDeterministic(h) ? GO_ZERO_TIME : Math.floor(Date.now() / 1000);
}

function checkId(where: string, id: unknown): void {
  const why = is.int(0, 0xffffffff)(id);
  if (why) throw sifError('INVALID_ARGUMENT', `${where}: id ${why}`);
}

function writable(img: SifImage): ByteStore {
  const s = img.source as Partial<ByteStore> & { writable?: boolean };
  if (typeof s.write !== 'function' || typeof s.truncate !== 'function' || s.writable === false) {
    throw sifError('READ_ONLY', 'image is open read-only');
  }
  return img.source as ByteStore;
}

/** Metadata → 384-byte extra, with the reference's type checks. */
function extraFor(input: ObjectInput): Uint8Array | undefined {
  const wrongType = (want: number, what: string): never => {
    throw sifError('UNEXPECTED_DATA_TYPE', `unexpected data type for ${what} metadata: ${input.dataType}, expected ${want}`);
  };
  let extra: Uint8Array | undefined;
  if (input.partition) {
    if (input.dataType !== DataType.Partition) wrongType(DataType.Partition, 'partition');
    const p = input.partition;
    extra = encodePartition(p.fsType, p.partType, p.arch);
  }
  if (input.signature) {
    if (input.dataType !== DataType.Signature) wrongType(DataType.Signature, 'signature');
    extra = encodeSignature(input.signature.hashType, input.signature.fingerprint);
  }
  if (input.cryptoMessage) {
    if (input.dataType !== DataType.CryptoMessage) wrongType(DataType.CryptoMessage, 'crypto message');
    extra = encodeCryptoMessage(input.cryptoMessage.formatType, input.cryptoMessage.messageType);
  }
  if (input.sbom !== undefined) {
    if (input.dataType !== DataType.SBOM) wrongType(DataType.SBOM, 'SBOM');
    extra = encodeSBOM(input.sbom);
  }
  if (input.extra) {
    if (input.extra.length > 384) throw sifError('INVALID_ARGUMENT', 'extra value too large');
    extra = new Uint8Array(384);
    extra.set(input.extra);
  }
  return extra;
}

function validateInput(input: ObjectInput): void {
  if (input.group === 0) throw sifError('INVALID_ARGUMENT', 'invalid group ID');
  if (input.link !== undefined) {
    if (typeof input.link === 'number' ? input.link === 0 : input.link.group === 0) {
      throw sifError('INVALID_ARGUMENT', typeof input.link === 'number' ? 'invalid object ID' : 'invalid group ID');
    }
  }
  if (input.name !== undefined && new TextEncoder().encode(input.name).length > NAME_SIZE) {
    throw sifError('INVALID_ARGUMENT', 'name value too large');
  }
}

async function* chunksOf(data: ObjectData): AsyncGenerator<Uint8Array> {
  if (data instanceof Uint8Array) {
    yield data;
    return;
  }
  if (typeof (data as ByteSource).readInto === 'function') {
    const src = data as ByteSource;
    const step = 1 << 20;
    for (let pos = 0; pos < src.size; pos += step) yield await src.read(pos, Math.min(step, src.size - pos));
    return;
  }
  for await (const c of data as AsyncIterable<Uint8Array>) yield c;
}

function nextAligned(offset: number, alignment: number): number {
  if (alignment <= 0 || offset % alignment === 0) return offset;
  return offset + (alignment - (offset % alignment));
}

/** The mutable state an edit works on; swapped into the image only on success. */
interface Draft {
  h: Header;
  slots: RawDescriptor[];
  /** Slots changed in place: which fields to write over their original bytes. */
  patched: Map<number, (keyof RawDescriptor)[]>;
  /** The descriptor table as last written. */
  table?: Uint8Array;
}

function dataEnd(d: Draft): number {
  let end = d.h.dataOffset;
  for (const s of d.slots) if (s.used && s.offset + s.size > end) end = s.offset + s.size;
  return end;
}

/** Abort and progress, per chunk of object data. */
type Tick = (bytes: number) => void;

function ticker(opts: EditOptions, what: string): Tick {
  let done = 0;
  return (bytes) => {
    throwIfAborted(opts.signal, what);
    done += bytes;
    if (bytes > 0) opts.onProgress?.(done);
  };
}

async function writeDataObject(j: WriteJournal, draft: Draft, slot: number, input: ObjectInput, t: number, tick: Tick = () => undefined): Promise<void> {
  if (slot >= draft.slots.length) {
    throw sifError('INSUFFICIENT_CAPACITY', 'insufficient descriptor capacity to add data object(s) to image');
  }
  if (slot + 1 > 0xffffffff) throw sifError('INSUFFICIENT_CAPACITY', 'object ID would overflow');
  validateInput(input);
  let extra = extraFor(input);
  if (input.partition?.partType === PartType.PrimSys) {
    const hasPrimary = draft.slots.some((s) => {
      if (!s.used || s.dataType !== DataType.Partition) return false;
      return readPartition(s).partType === PartType.PrimSys;
    });
    if (hasPrimary) throw sifError('PRIMARY_PARTITION_EXISTS', 'image already contains a primary partition');
    draft.h = { ...draft.h, arch: extra!.slice(8, 11) };
  }
  const id = slot + 1;
  draft.h = { ...draft.h, dataSize: dataEnd(draft) - draft.h.dataOffset };
  const start = draft.h.dataOffset + draft.h.dataSize;
  const alignment = input.alignment ?? (input.dataType === DataType.Partition ? 4096 : 0);
  const offset = nextAligned(start, alignment);
  const oci = input.dataType === DataType.OCIRootIndex || input.dataType === DataType.OCIBlob;
  const hasher = oci ? createHash('sha256') : undefined;
  let size = 0;
  for await (const chunk of chunksOf(input.data)) {
    tick(0);
    if (chunk.length === 0) continue;
    await j.write(offset + size, chunk);
    hasher?.update(chunk);
    size += chunk.length;
    tick(chunk.length);
  }
  if (hasher && !input.extra) extra = encodeOCIDigest(toHex(hasher.digest()));
  const objTime = input.time === undefined ? t : unixSeconds(input.time);
  const name = new Uint8Array(NAME_SIZE);
  if (input.name) name.set(new TextEncoder().encode(input.name));
  const group = input.group === null ? 0 : (input.group ?? 1);
  const link = input.link === undefined ? 0 : typeof input.link === 'number' ? input.link : (input.link.group | GROUP_MASK) >>> 0;
  const d: RawDescriptor = {
    ...emptyDescriptor(),
    dataType: input.dataType,
    used: true,
    id,
    groupId: (group | GROUP_MASK) >>> 0,
    linkedId: link,
    offset,
    size,
    sizeWithPadding: offset - start + size,
    createdAt: objTime,
    modifiedAt: objTime,
    name,
    extra: extra ?? new Uint8Array(384),
  };
  draft.slots[slot] = d;
  draft.h = { ...draft.h, descriptorsFree: draft.h.descriptorsFree - 1, dataSize: draft.h.dataSize + d.sizeWithPadding };
}

/** The descriptor table: unchanged slots as their original bytes, patched slots over them, new ones encoded. */
function encodeTable(draft: Draft, img: SifImage | undefined): Uint8Array {
  const original = img?._slotBytes ?? new WeakMap<RawDescriptor, Uint8Array>();
  const out = new Uint8Array(draft.slots.length * DESCRIPTOR_SIZE);
  draft.slots.forEach((s, i) => {
    const before = img?._slots[i];
    const base = before ? original.get(before) : undefined;
    const fields = draft.patched.get(i);
    const bytes = original.get(s) ?? (base && fields ? patchDescriptor(base, s, fields) : encodeDescriptor(s));
    out.set(bytes, i * DESCRIPTOR_SIZE);
    // The reference rewrites every slot through encoding/binary, which writes a Go bool as 0 or 1.
    out[i * DESCRIPTOR_SIZE + 4] = bytes[4] !== 0 ? 1 : 0;
  });
  return out;
}

async function writeTableAndHeader(j: WriteJournal, img: SifImage | undefined, draft: Draft): Promise<void> {
  draft.table = encodeTable(draft, img);
  await j.write(draft.h.descriptorsOffset, draft.table);
  await j.write(0, encodeHeader(draft.h));
}

async function runEdit(img: SifImage, opts: EditOptions, fn: (j: WriteJournal, d: Draft) => Promise<void>): Promise<void> {
  const store = writable(img);
  const durable = opts.durable ?? (opts.scratch ? undefined : defaultEditLog(store));
  const j = new WriteJournal(store, opts.scratch ?? memoryScratch, durable);
  const draft: Draft = { h: { ...img._header }, slots: [...img._slots], patched: new Map() };
  try {
    throwIfAborted(opts.signal, 'edit');
    await fn(j, draft);
    await j.commit();
  } catch (e) {
    await j.rollback();
    throw e;
  }
  // Keep exact on-disk bytes for the next edit: record what was written for every slot.
  const table = draft.table ?? encodeTable(draft, img);
  draft.slots.forEach((s, i) => img._slotBytes.set(s, table.subarray(i * DESCRIPTOR_SIZE, (i + 1) * DESCRIPTOR_SIZE)));
  img._header = draft.h;
  img._slots = draft.slots;
}

/**
 * Creates a new image in an (empty) store, as the reference's `CreateContainer` does.
 *
 * @param store - where to write; its contents are replaced
 * @param opts - creation options
 * @returns the image, open on `store`
 */
export async function createImage(store: ByteStore, opts: CreateOptions = {}): Promise<SifImage> {
  checkOptions('createImage', opts, {
    launchScript: is.string,
    id: is.string,
    deterministic: is.boolean,
    time: is.time,
    capacity: is.any,
    objects: is.array(is.object),
  });
  for (const o of opts.objects ?? []) checkInput('createImage', o);
  const capacity = opts.capacity ?? DEFAULT_DESCRIPTOR_CAPACITY;
  if (!Number.isSafeInteger(capacity) || capacity < 0 || capacity > MAX_DESCRIPTORS) {
    // The loader's limit: an image sifkit writes, sifkit must read (and 2^20 slots are 613 MB).
    throw sifError('INVALID_ARGUMENT', `capacity: ${capacity} descriptors not supported (0 to ${MAX_DESCRIPTORS})`);
  }
  const launch = new TextEncoder().encode(opts.launchScript ?? '');
  if (launch.length >= 32) throw sifError('INVALID_ARGUMENT', 'launch script too large');
  // Explicit id/time win over `deterministic`, which only changes the defaults (nil ID, zero time).
  let id: Uint8Array;
  if (opts.id !== undefined) {
    try {
      id = Uint8Array.from(parseUUID(opts.id));
    } catch (e) {
      throw sifError('INVALID_ARGUMENT', `invalid UUID ${JSON.stringify(opts.id)}`, { cause: e });
    }
  } else if (opts.deterministic) id = new Uint8Array(16);
  else id = Uint8Array.from(parseUUID(uuidv4()));
  const t =
    opts.time !== undefined ? unixSeconds(opts.time) : opts.deterministic ? GO_ZERO_TIME : Math.floor(Date.now() / 1000);
  const launchScript = new Uint8Array(32);
  launchScript.set(launch);
  const h: Header = {
    launchScript,
    magic: SIF_MAGIC.slice(),
    version: SIF_VERSION.slice(),
    arch: ARCH_UNKNOWN.slice(),
    id,
    createdAt: t,
    modifiedAt: t,
    descriptorsFree: capacity,
    descriptorsTotal: capacity,
    descriptorsOffset: DEFAULT_DESCRIPTORS_OFFSET,
    descriptorsSize: capacity * DESCRIPTOR_SIZE,
    dataOffset: DEFAULT_DESCRIPTORS_OFFSET + capacity * DESCRIPTOR_SIZE,
    dataSize: 0,
  };
  const draft: Draft = { h, slots: Array.from({ length: capacity }, emptyDescriptor), patched: new Map() };
  if (store.size > 0) await store.truncate(0);
  const j = new WriteJournal(store);
  try {
    for (const [i, input] of (opts.objects ?? []).entries()) await writeDataObject(j, draft, i, input, t);
    await writeTableAndHeader(j, undefined, draft);
    await j.commit();
  } catch (e) {
    await j.rollback();
    throw e;
  }
  return new SifImage(store, draft.h, draft.slots);
}

/**
 * Adds an object in the first unused slot, as the reference's `AddObject` does.
 *
 * @param img - an image open for writing
 * @param input - the object
 * @param opts - time and scratch options
 * @returns the new object's descriptor
 */
export async function addObject(img: SifImage, input: ObjectInput, opts: EditOptions = {}): Promise<ObjectDescriptor> {
  checkInput('addObject', input);
  checkOptions('addObject', opts, EDIT_SPEC);
  let slot = 0;
  await runEdit(img, opts, async (j, draft) => {
    const t = editTime(draft.h, opts);
    slot = draft.slots.findIndex((s) => !s.used);
    if (slot < 0) slot = draft.slots.length;
    await writeDataObject(j, draft, slot, input, t, ticker(opts, 'addObject'));
    draft.h = { ...draft.h, modifiedAt: t };
    await writeTableAndHeader(j, img, draft);
  });
  return img.objects().find((o) => o.slot === slot)!;
}

/**
 * Adds several objects in one edit: all of them land, or (on any failure) none and the file is as it
 * was.
 *
 * @param img - an image open for writing
 * @param inputs - the objects, in order
 * @param opts - time and scratch options
 * @returns the new objects' descriptors
 */
export async function addObjects(img: SifImage, inputs: readonly ObjectInput[], opts: EditOptions = {}): Promise<ObjectDescriptor[]> {
  if (!Array.isArray(inputs)) throw sifError('INVALID_ARGUMENT', 'addObjects: inputs must be an array');
  for (const i of inputs) checkInput('addObjects', i);
  checkOptions('addObjects', opts, EDIT_SPEC);
  const slots: number[] = [];
  await runEdit(img, opts, async (j, draft) => {
    const t = editTime(draft.h, opts);
    const tick = ticker(opts, 'addObjects');
    for (const input of inputs) {
      let slot = draft.slots.findIndex((s) => !s.used);
      if (slot < 0) slot = draft.slots.length;
      await writeDataObject(j, draft, slot, input, t, tick);
      slots.push(slot);
    }
    draft.h = { ...draft.h, modifiedAt: t };
    await writeTableAndHeader(j, img, draft);
  });
  const all = img.objects();
  return slots.map((s) => all.find((o) => o.slot === s)!);
}

/**
 * Deletes the objects that match a predicate, as the reference's `DeleteObjects` does.
 *
 * @param img - an image open for writing
 * @param pred - which objects (by ID: `(d) => d.id === 3`)
 * @param opts - zero, compact, time
 * @throws SifError `OBJECT_NOT_FOUND` when nothing matches
 */
export async function deleteObjects(img: SifImage, pred: (d: ObjectDescriptor) => boolean, opts: DeleteOptions = {}): Promise<void> {
  if (typeof pred !== 'function') throw sifError('INVALID_ARGUMENT', 'deleteObjects: pred must be a function');
  checkOptions('deleteObjects', opts, DELETE_SPEC);
  const selected = img.objects().filter(pred);
  if (selected.length === 0) throw sifError('OBJECT_NOT_FOUND', 'object not found');
  await runEdit(img, opts, async (j, draft) => {
    const t = editTime(draft.h, opts);
    const tick = ticker(opts, 'deleteObjects');
    for (const o of selected) {
      const s = draft.slots[o.slot]!;
      if (opts.zero) await j.zero(s.offset, s.size, tick);
      let { arch } = draft.h;
      if (s.dataType === DataType.Partition && readPartition(s).partType === PartType.PrimSys) arch = ARCH_UNKNOWN.slice();
      draft.h = { ...draft.h, descriptorsFree: draft.h.descriptorsFree + 1, arch };
      draft.slots[o.slot] = emptyDescriptor();
    }
    draft.h = { ...draft.h, modifiedAt: t };
    if (opts.compact) draft.h = { ...draft.h, dataSize: dataEnd(draft) - draft.h.dataOffset };
    await writeTableAndHeader(j, img, draft);
    if (opts.compact) await j.truncate(draft.h.dataOffset + draft.h.dataSize);
  });
}

/**
 * Deletes one object by ID.
 *
 * @param img - an image open for writing
 * @param id - the object ID
 * @param opts - zero, compact, time
 */
export async function deleteObject(img: SifImage, id: number, opts: DeleteOptions = {}): Promise<void> {
  checkId('deleteObject', id);
  if (id === 0) throw sifError('INVALID_ARGUMENT', 'invalid object ID');
  await deleteObjects(img, (d) => d.id === id, opts);
}

/**
 * Makes a system partition the primary one, as the reference's `SetPrimPart` (v2.11.2+) does.
 *
 * @param img - an image open for writing
 * @param id - the partition's object ID
 * @param opts - time options
 */
export async function setPrimaryPartition(img: SifImage, id: number, opts: EditOptions = {}): Promise<void> {
  checkId('setPrimaryPartition', id);
  checkOptions('setPrimaryPartition', opts, EDIT_SPEC);
  const target = img.get(id);
  if (target.dataType !== DataType.Partition) throw sifError('NOT_A_PARTITION', 'data object not a partition', { objectId: id });
  const p = readPartition(target.raw);
  if (p.partType === PartType.PrimSys) return;
  if (p.partType !== PartType.System) throw sifError('NOT_A_SYSTEM_PARTITION', 'data object not a system partition', { objectId: id });
  await runEdit(img, opts, async (j, draft) => {
    const t = editTime(draft.h, opts);
    // The reference re-marshals the 11-byte partition struct, zeroing the rest of extra.
    const withPartType = (s: RawDescriptor, pt: number): RawDescriptor => {
      const cur = readPartition(s);
      return { ...s, extra: encodePartition(cur.fsType, pt, cur.archRaw), modifiedAt: t };
    };
    const current = draft.slots.findIndex(
      (s) => s.used && s.dataType === DataType.Partition && readPartition(s).partType === PartType.PrimSys,
    );
    if (current >= 0) {
      draft.slots[current] = withPartType(draft.slots[current]!, PartType.System);
      draft.patched.set(current, ['extra', 'modifiedAt']);
    }
    draft.slots[target.slot] = withPartType(draft.slots[target.slot]!, PartType.PrimSys);
    draft.patched.set(target.slot, ['extra', 'modifiedAt']);
    draft.h = { ...draft.h, arch: p.archRaw.slice(), modifiedAt: t };
    await writeTableAndHeader(j, img, draft);
  });
}

/**
 * Replaces an object's metadata (`extra`), as the reference's `SetMetadata` does.
 *
 * @param img - an image open for writing
 * @param id - the object ID
 * @param extra - new metadata (at most 384 bytes; zero-padded)
 * @param opts - time options
 */
export async function setMetadata(img: SifImage, id: number, extra: Uint8Array, opts: EditOptions = {}): Promise<void> {
  checkId('setMetadata', id);
  if (!(extra instanceof Uint8Array)) throw sifError('INVALID_ARGUMENT', 'setMetadata: extra must be a Uint8Array');
  checkOptions('setMetadata', opts, EDIT_SPEC);
  const target = img.get(id);
  if (extra.length > 384) throw sifError('INVALID_ARGUMENT', 'extra value too large');
  await runEdit(img, opts, async (j, draft) => {
    const t = editTime(draft.h, opts);
    const padded = new Uint8Array(384);
    padded.set(extra);
    draft.slots[target.slot] = { ...draft.slots[target.slot]!, extra: padded, modifiedAt: t };
    draft.patched.set(target.slot, ['extra', 'modifiedAt']);
    draft.h = { ...draft.h, modifiedAt: t };
    await writeTableAndHeader(j, img, draft);
  });
}

/**
 * Sets the digest of an OCI root index or blob, as the reference's `SetOCIBlobDigest` does.
 *
 * @param img - an image open for writing
 * @param id - the object ID
 * @param hex - lower-case hex SHA-256 digest
 * @param opts - time options
 */
export async function setOCIBlobDigest(img: SifImage, id: number, hex: string, opts: EditOptions = {}): Promise<void> {
  checkId('setOCIBlobDigest', id);
  checkOptions('setOCIBlobDigest', opts, EDIT_SPEC);
  const target = img.get(id);
  if (target.dataType !== DataType.OCIRootIndex && target.dataType !== DataType.OCIBlob) {
    throw sifError('UNEXPECTED_DATA_TYPE', `unexpected data type ${target.dataTypeName}, expected one of: [OCI.RootIndex OCI.Blob]`, {
      objectId: id,
    });
  }
  if (!/^[0-9a-f]{64}$/.test(hex)) throw sifError('INVALID_ARGUMENT', `invalid sha256 digest ${JSON.stringify(hex)}`);
  await setMetadata(img, id, encodeOCIDigest(hex), opts);
}
