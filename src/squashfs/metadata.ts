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

/** A decoded metadata block and where the next one starts. */
interface Block {
  data: Uint8Array;
  next: number;
}

const bad = (why: string): never => {
  throw sifError('SQUASHFS_INVALID', why);
};

/** Reads metadata blocks of one file system. */
export class MetadataReader {
  readonly #cache = new Map<number, Promise<Block>>();

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
    p.catch(() => this.#cache.delete(pos));
    if (this.#cache.size > this.cacheBlocks) this.#cache.delete(this.#cache.keys().next().value!);
    return p;
  }

  async #load(pos: number, what: string): Promise<Block> {
    if (!Number.isSafeInteger(pos) || pos < 0 || pos + 2 > this.end) bad(`${what}: metadata block at ${pos} lies outside the file system`);
    const h = await this.src.read(this.base + pos, 2);
    const header = h[0]! | (h[1]! << 8);
    const size = header & 0x7fff;
    if (size === 0 || size > METADATA_SIZE) bad(`${what}: metadata block at ${pos} has size ${size}`);
    if (pos + 2 + size > this.end) bad(`${what}: metadata block at ${pos} runs past the file system`);
    const raw = await this.src.read(this.base + pos + 2, size);
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
    if (n === 0) return new Uint8Array(0);
    let out: Uint8Array | undefined;
    let got = 0;
    while (got < n) {
      if (this.pos >= this.limit) bad(`${this.what}: record runs past the end of the table`);
      const b = await this.reader.block(this.pos, this.what);
      if (this.offset > b.data.length) bad(`${this.what}: offset ${this.offset} past a ${b.data.length}-byte metadata block`);
      const k = Math.min(n - got, b.data.length - this.offset);
      if (k === n) {
        const slice = b.data.subarray(this.offset, this.offset + k);
        this.#advance(k, b);
        return slice;
      }
      out ??= new Uint8Array(n);
      out.set(b.data.subarray(this.offset, this.offset + k), got);
      got += k;
      this.#advance(k, b);
    }
    return out!;
  }

  #advance(k: number, b: Block): void {
    this.offset += k;
    if (this.offset === b.data.length) {
      this.pos = b.next;
      this.offset = 0;
    }
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
