/**
 * Random-access byte sources and stores: the only I/O the portable core needs. A Node file
 * implementation lives in `node.ts`; this module has the in-memory and Blob ones.
 *
 * @module
 */
import { sifError } from '../errors.js';

/** Read-only random access to a sequence of bytes. */
export interface ByteSource {
  /** Current size in bytes. */
  readonly size: number;
  /**
   * Reads exactly `length` bytes at `offset`.
   *
   * @throws SifError `TRUNCATED` when the range runs past the end
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Reads up to `buffer.length` bytes at `offset` into `buffer` (no allocation).
   *
   * @returns the number of bytes read (short only at the end)
   */
  readInto(buffer: Uint8Array, offset: number): Promise<number>;
  /** Releases the source. */
  close(): Promise<void>;
}

/** A writable {@link ByteSource}. */
export interface ByteStore extends ByteSource {
  /** Writes `data` at `offset`, growing the store if needed. */
  write(offset: number, data: Uint8Array): Promise<void>;
  /** Sets the size, cutting or zero-extending. */
  truncate(size: number): Promise<void>;
  /** Flushes to durable storage where that means something. */
  sync(): Promise<void>;
}

/**
 * Checks a read range and throws the typed error the loader and readers share.
 *
 * @param size - source size
 * @param offset - start
 * @param length - length
 */
export function checkRange(size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw sifError('OUT_OF_BOUNDS', `read of ${length} bytes at ${offset}: invalid range`);
  }
  if (length > 0 && offset + length > size) {
    throw sifError('TRUNCATED', `read of ${length} bytes at ${offset}: past the end of the ${size}-byte image`);
  }
}

/** An in-memory {@link ByteStore} over a growable buffer; also wraps a caller's `Uint8Array`. */
export class BytesStore implements ByteStore {
  #buf: Uint8Array;
  #size: number;

  /** @param bytes - initial contents (used in place until the store grows) */
  constructor(bytes: Uint8Array = new Uint8Array()) {
    this.#buf = bytes;
    this.#size = bytes.length;
  }

  /** Current size. */
  get size(): number {
    return this.#size;
  }

  /** The current contents (a view, valid until the next write). */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#size);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.#size, offset, length);
    return this.#buf.slice(offset, offset + length);
  }

  async readInto(buffer: Uint8Array, offset: number): Promise<number> {
    const n = Math.max(0, Math.min(buffer.length, this.#size - offset));
    buffer.set(this.#buf.subarray(offset, offset + n));
    return n;
  }

  #ensure(capacity: number): void {
    if (capacity <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(capacity, this.#buf.length * 2, 4096));
    next.set(this.#buf.subarray(0, this.#size));
    this.#buf = next;
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    const end = offset + data.length;
    this.#ensure(end);
    if (offset > this.#size) this.#buf.fill(0, this.#size, offset);
    this.#buf.set(data, offset);
    this.#size = Math.max(this.#size, end);
  }

  async truncate(size: number): Promise<void> {
    this.#ensure(size);
    if (size > this.#size) this.#buf.fill(0, this.#size, size);
    this.#size = size;
  }

  async sync(): Promise<void> {}
  async close(): Promise<void> {}
}

/** A read-only {@link ByteSource} over a `Blob` (browsers, `File` objects). */
export class BlobSource implements ByteSource {
  /** @param blob - the blob */
  constructor(readonly blob: Blob) {}

  get size(): number {
    return this.blob.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.blob.size, offset, length);
    return new Uint8Array(await this.blob.slice(offset, offset + length).arrayBuffer());
  }

  async readInto(buffer: Uint8Array, offset: number): Promise<number> {
    const end = Math.min(this.blob.size, offset + buffer.length);
    if (end <= offset) return 0;
    const part = new Uint8Array(await this.blob.slice(offset, end).arrayBuffer());
    buffer.set(part);
    return part.length;
  }

  async close(): Promise<void> {}
}

/** Default chunk size for streaming object data. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

/**
 * Streams `length` bytes at `offset` in chunks. Each chunk is a fresh array the caller may keep.
 *
 * @param source - the source
 * @param offset - start
 * @param length - byte count
 * @param chunkSize - maximum chunk length
 * @returns the chunks
 */
export async function* readChunks(
  source: ByteSource,
  offset: number,
  length: number,
  chunkSize: number = DEFAULT_CHUNK_SIZE,
): AsyncGenerator<Uint8Array> {
  checkRange(source.size, offset, length);
  for (let done = 0; done < length; ) {
    const n = Math.min(chunkSize, length - done);
    yield await source.read(offset + done, n);
    done += n;
  }
}
