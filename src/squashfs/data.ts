/**
 * File data: a regular file's blocks (read in runs, decompressed a few ahead, holes for sparse
 * blocks), fragment blocks (cached: many small files share one) and the lookup tables (ids,
 * fragments) whose entries sit in metadata blocks behind a location list.
 *
 * @module
 */
import { sifError } from '../errors.js';
import type { ByteSource } from '../io/source.js';
import type { Decompress } from './codecs.js';
import { u32le, u64le } from './bytes.js';
import { NONE32 } from './inode.js';
import type { MetadataReader } from './metadata.js';
import type { Superblock } from './superblock.js';
import type { FsNode } from './types.js';

/** Most bytes of a file's consecutive blocks read at once. */
const RUN = 1 << 20;

const holes = new WeakSet<Uint8Array>();

/**
 * Whether a chunk of a file's data (`SquashFs.chunks`) is a sparse block (a hole, all zeros, stored as
 * nothing): writers may seek past it instead of writing zeros.
 *
 * @param chunk - a chunk
 * @returns true for a hole
 */
export function isHole(chunk: Uint8Array): boolean {
  return holes.has(chunk);
}

const bad = (why: string): never => {
  throw sifError('SQUASHFS_INVALID', why);
};

/** What {@link FileData} reads through. */
export interface DataSource {
  /** The bytes. */
  readonly source: ByteSource;
  /** The file system's first byte in the source. */
  readonly offset: number;
  /** The superblock. */
  readonly superblock: Superblock;
  /** The compressor's decoder. */
  readonly decompress: Decompress;
}

/** Reads file data and lookup tables of one file system. */
export class FileData {
  readonly #fragments = new Map<number, Promise<Uint8Array>>();

  constructor(
    private readonly fs: DataSource,
    private readonly meta: MetadataReader,
  ) {}

  /** A lookup-table entry: `size`-byte records in metadata blocks listed by a u64 location list. */
  async lookup(listStart: number, count: number, size: number, index: number, what: string): Promise<Uint8Array> {
    if (index >= count) bad(`${what} index ${index} is past the table's ${count} entries`);
    const perBlock = 8192 / size;
    const blockNo = Math.floor(index / perBlock);
    const listPos = listStart + blockNo * 8;
    if (listPos + 8 > this.fs.superblock.bytesUsed) bad(`${what} table location list lies outside the file system`);
    const loc = u64le(await this.fs.source.read(this.fs.offset + listPos, 8), 0);
    if (loc > BigInt(this.fs.superblock.bytesUsed)) bad(`${what} table block at ${loc} lies outside the file system`);
    const c = this.meta.cursor(Number(loc), (index % perBlock) * size, this.fs.superblock.bytesUsed, `${what} table`);
    return (await c.take(size)).slice();
  }

  /** The bytes of a fragment block (cached: many small files share one). */
  fragment(index: number): Promise<Uint8Array> {
    let p = this.#fragments.get(index);
    if (!p) {
      p = (async () => {
        const e = await this.lookup(this.fs.superblock.fragmentTableStart, this.fs.superblock.fragments, 16, index, 'fragment');
        const start = Number(u64le(e, 0));
        const size = u32le(e, 8);
        return this.dataBlock(start, size, `fragment ${index}`);
      })();
      p.catch(() => this.#fragments.delete(index));
      this.#fragments.set(index, p);
      if (this.#fragments.size > 16) this.#fragments.delete(this.#fragments.keys().next().value!);
    }
    return p;
  }

  /**
   * One data block: `word` is the block-list entry (low 24 bits: stored size; bit 24: stored
   * uncompressed). `read` fetches the stored bytes (default: straight from the source).
   */
  async dataBlock(pos: number, word: number, what: string, read?: (at: number, len: number) => Promise<Uint8Array>): Promise<Uint8Array> {
    const size = word & 0xffffff;
    const bs = this.fs.superblock.blockSize;
    if (size > bs) bad(`${what}: stored size ${size} exceeds the block size ${bs}`);
    if (!Number.isSafeInteger(pos) || pos + size > this.fs.superblock.bytesUsed) bad(`${what}: data at ${pos} lies outside the file system`);
    const raw = await (read ? read(pos, size) : this.fs.source.read(this.fs.offset + pos, size));
    return word & 0x1000000 ? raw : this.fs.decompress(raw, bs);
  }

  /**
   * A regular file's data, block by block, in order.
   *
   * @param n - the file's node
   * @returns its chunks
   */
  async *chunks(n: FsNode): AsyncGenerator<Uint8Array> {
    const f = n.ino.file!;
    const sb = this.fs.superblock;
    const bs = sb.blockSize;
    const size = n.ino.size;
    const list = this.meta.cursor(f.blockListAt.pos, f.blockListAt.offset, sb.directoryTableStart, `block list of ${n.path}`);
    // Blocks are read a few ahead of the consumer, so the reads overlap decompression and the
    // consumer's writes; at most WINDOW blocks are held.
    const WINDOW = 4;
    const pending: Promise<Uint8Array>[] = [];
    let pos = f.start;
    let queued = 0;
    let index = 0;
    // Consecutive blocks lie back to back: they are read in runs of up to 1 MiB, one read per run.
    let run: { start: number; end: number; bytes: Promise<Uint8Array> } | undefined;
    const stored = (at: number, len: number, span: number): Promise<Uint8Array> => {
      if (!run || at < run.start || at + len > run.end) {
        const n = Math.min(Math.max(len, span), sb.bytesUsed - at);
        run = { start: at, end: at + n, bytes: this.fs.source.read(this.fs.offset + at, n) };
      }
      const r = run;
      return r.bytes.then((b) => b.subarray(at - r.start, at - r.start + len));
    };
    const block = (word: number, index: number, want: number, at: number, span: number): Promise<Uint8Array> => {
      const len = word & 0xffffff;
      if (len === 0) {
        const hole = new Uint8Array(want); // sparse
        holes.add(hole);
        return Promise.resolve(hole);
      }
      const what = `${n.path} block ${index}`;
      return this.dataBlock(at, word, what, (a, l) => stored(a, l, span)).then((b) => {
        if (b.length > want) bad(`${what}: ${b.length} bytes where ${want} belong`);
        if (b.length === want) return b;
        const padded = new Uint8Array(want);
        padded.set(b);
        return padded;
      });
    };
    for (let i = 0; i < f.blockCount; i += 256) {
      const count = Math.min(256, f.blockCount - i);
      const w = await list.take(4 * count);
      const words = Array.from({ length: count }, (_, k) => u32le(w, 4 * k));
      // stored bytes from each block to the end of this batch, capped at a run's size
      const rest = new Array<number>(count + 1).fill(0);
      for (let k = count - 1; k >= 0; k--) rest[k] = Math.min(RUN, rest[k + 1]! + (words[k]! & 0xffffff));
      for (let k = 0; k < count; k++) {
        const word = words[k]!;
        const want = Math.min(bs, size - queued);
        const p = block(word, index++, want, pos, rest[k]!);
        p.catch(() => undefined); // handled when awaited in order
        pending.push(p);
        pos += word & 0xffffff;
        queued += want;
        if (pending.length >= WINDOW) yield await pending.shift()!;
      }
    }
    while (pending.length) yield await pending.shift()!;
    // every block comes out at its full size, so what is left is the fragment's tail
    if (queued < size) {
      if (f.fragment === NONE32) bad(`${n.path}: ${size - queued} bytes are in no block and no fragment`);
      const frag = await this.fragment(f.fragment);
      const tail = size - queued;
      if (f.fragmentOffset + tail > frag.length) bad(`${n.path}: fragment range ${f.fragmentOffset}+${tail} past a ${frag.length}-byte fragment block`);
      yield frag.subarray(f.fragmentOffset, f.fragmentOffset + tail);
    }
  }
}
