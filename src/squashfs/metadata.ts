/**
 * Metadata blocks (inodes, directories, lookup tables, xattrs): 8 KiB chunks, each with a u16 header
 * (low 15 bits: stored size; bit 15: stored uncompressed), read through a bounded LRU cache, and
 * cursors that read records across block boundaries.
 *
 * @module
 */
import { sifError } from '../errors.js';
import type { ByteSource } from '../io/source.js';
import type { Decompress } from './codecs.js';

/** Uncompressed size of a full metadata block. */
export const METADATA_SIZE = 8192;
/** Bytes read at once from a metadata table. */
const READ_AHEAD = 128 << 10;

/** A decoded metadata block and where the next one starts. */
interface Block {
  data: Uint8Array;
  next: number;
}

const bad = (why: string): never => {
  throw sifError('SQUASHFS_INVALID', why);
};

/**
 * Thrown by a synchronous parse ({@link MetadataCursor.takeSync}) that needs a block not loaded yet;
 * {@link MetadataReader.sync} loads it and runs the parse again.
 */
export class NotReady {
  constructor(
    /** The block's position. */
    readonly pos: number,
    /** The table, for messages. */
    readonly what: string,
  ) {}
}

/** Reads metadata blocks of one file system. */
export class MetadataReader {
  readonly #cache = new Map<number, Promise<Block>>();
  /** The loaded blocks among those cached, for synchronous parses. */
  readonly #ready = new Map<number, Block>();

  constructor(
    private readonly src: ByteSource,
    private readonly base: number,
    private readonly end: number,
    private readonly decompress: Decompress,
    private readonly cacheBlocks = 256,
  ) {}

  /**
   * The block whose header is at `pos` (relative to the file system).
   *
   * @param pos - position of the u16 header
   * @param what - the table, for messages
   * @returns its bytes and the next block's position
   */
  block(pos: number, what: string): Promise<Block> {
    const hit = this.#cache.get(pos);
    if (hit) {
      // LRU: move to the end.
      this.#cache.delete(pos);
      this.#cache.set(pos, hit);
      return hit;
    }
    const p = this.#load(pos, what);
    this.#cache.set(pos, p);
    p.then(
      (b) => {
        if (this.#cache.get(pos) === p) this.#ready.set(pos, b);
      },
      () => this.#cache.delete(pos),
    );
    if (this.#cache.size > this.cacheBlocks) {
      const old = this.#cache.keys().next().value!;
      this.#cache.delete(old);
      this.#ready.delete(old);
    }
    return p;
  }

  /**
   * A loaded block, without waiting.
   *
   * @param pos - position of its header
   * @returns the block, or undefined when it is not loaded
   */
  ready(pos: number): Block | undefined {
    return this.#ready.get(pos);
  }

  /**
   * Runs a synchronous parse, loading each block it turns out to need and running it again.
   *
   * @param parse - the parse (it must start afresh on every call)
   * @returns its result
   */
  async sync<T>(parse: () => T): Promise<T> {
    for (let tries = 0; ; tries++) {
      try {
        return parse();
      } catch (e) {
        if (!(e instanceof NotReady) || tries > 64) throw e;
        await this.block(e.pos, e.what);
      }
    }
  }

  /** Raw bytes read ahead, a few windows (the inode and directory tables are read by turns). */
  readonly #raw: { start: number; bytes: Uint8Array }[] = [];

  async #rawRead(pos: number, n: number): Promise<Uint8Array> {
    for (const r of this.#raw) {
      if (pos >= r.start && pos + n <= r.start + r.bytes.length) return r.bytes.subarray(pos - r.start, pos - r.start + n);
    }
    const len = Math.min(Math.max(n, READ_AHEAD), this.end - pos);
    const bytes = await this.src.read(this.base + pos, len);
    this.#raw.unshift({ start: pos, bytes });
    if (this.#raw.length > 4) this.#raw.pop();
    return bytes.subarray(0, n);
  }

  async #load(pos: number, what: string): Promise<Block> {
    if (!Number.isSafeInteger(pos) || pos < 0 || pos + 2 > this.end) bad(`${what}: metadata block at ${pos} lies outside the file system`);
    const h = await this.#rawRead(pos, 2);
    const header = h[0]! | (h[1]! << 8);
    const size = header & 0x7fff;
    if (size === 0 || size > METADATA_SIZE) bad(`${what}: metadata block at ${pos} has size ${size}`);
    if (pos + 2 + size > this.end) bad(`${what}: metadata block at ${pos} runs past the file system`);
    const raw = await this.#rawRead(pos + 2, size);
    const data = header & 0x8000 ? raw : await this.decompress(raw, METADATA_SIZE);
    return { data, next: pos + 2 + size };
  }

  /**
   * A cursor at (block position, offset in the uncompressed block).
   *
   * @param pos - block position (relative to the file system)
   * @param offset - offset in that block
   * @param limit - position the table ends at (blocks at or past it are outside the table)
   * @param what - the table, for messages
   * @returns the cursor
   */
  cursor(pos: number, offset: number, limit: number, what: string): MetadataCursor {
    return new MetadataCursor(this, pos, offset, limit, what);
  }
}

/** Reads consecutive bytes of a metadata table, across block boundaries. */
export class MetadataCursor {
  constructor(
    private readonly reader: MetadataReader,
    /** Current block position. */
    public pos: number,
    /** Offset in the current block. */
    public offset: number,
    private readonly limit: number,
    private readonly what: string,
  ) {}

  /**
   * The next `n` bytes.
   *
   * @param n - byte count
   * @returns the bytes (a copy when they span blocks)
   */
  async take(n: number): Promise<Uint8Array> {
    try {
      return this.takeSync(n);
    } catch (e) {
      if (!(e instanceof NotReady)) throw e;
    }
    // Block by block, waiting for each: a record longer than the cache holds still completes
    // (takeSync needs all its blocks loaded at once).
    const out = new Uint8Array(n);
    for (let got = 0; got < n; ) {
      if (this.pos >= this.limit) bad(`${this.what}: record runs past the end of the table`);
      await this.reader.block(this.pos, this.what);
      const part = this.takeSync(Math.min(n - got, this.#leftInBlock()));
      out.set(part, got);
      got += part.length;
    }
    return out;
  }

  /** Bytes left in the current (loaded) block. */
  #leftInBlock(): number {
    const b = this.reader.ready(this.pos);
    return b ? Math.max(1, b.data.length - this.offset) : 1;
  }

  /**
   * The next `n` bytes when their blocks are loaded; otherwise throws {@link NotReady} and the cursor
   * does not move.
   *
   * @param n - byte count
   * @returns the bytes (a copy when they span blocks)
   */
  takeSync(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    let pos = this.pos;
    let offset = this.offset;
    let out: Uint8Array | undefined;
    let got = 0;
    while (got < n) {
      if (pos >= this.limit) bad(`${this.what}: record runs past the end of the table`);
      const b = this.reader.ready(pos);
      if (!b) throw new NotReady(pos, this.what);
      if (offset > b.data.length) bad(`${this.what}: offset ${offset} past a ${b.data.length}-byte metadata block`);
      const k = Math.min(n - got, b.data.length - offset);
      const slice = b.data.subarray(offset, offset + k);
      offset += k;
      if (offset === b.data.length) {
        pos = b.next;
        offset = 0;
      }
      if (k === n) {
        out = slice;
        break;
      }
      out ??= new Uint8Array(n);
      out.set(slice, got);
      got += k;
    }
    this.pos = pos;
    this.offset = offset;
    return out!;
  }

  /**
   * Loads the block a synchronous read found missing.
   *
   * @param e - what {@link MetadataCursor.takeSync} threw
   */
  async load(e: NotReady): Promise<void> {
    await this.reader.block(e.pos, e.what);
  }

  /** Skips `n` bytes. */
  async skip(n: number): Promise<void> {
    for (let left = n; left > 0; ) {
      const chunk = Math.min(left, METADATA_SIZE);
      await this.take(chunk);
      left -= chunk;
    }
  }
}
