/**
 * Directory listings: runs of a 12-byte header (count − 1, inode block, base inode number) and
 * entries (offset, signed inode delta, basic type, name length − 1, name), `size − 3` bytes in all.
 *
 * @module
 */
import { sifError } from '../errors.js';
import { TYPE_NAMES, type FileType } from './inode.js';
import { u16le, u32le } from './bytes.js';
import { NotReady, type MetadataCursor } from './metadata.js';

/** One directory entry. */
export interface DirEntry {
  /** The name (raw bytes decoded as UTF-8 for display; `nameBytes` has the exact bytes). */
  name: string;
  /** The exact name bytes. */
  nameBytes: Uint8Array;
  /** The entry's file type (the basic type, whatever the inode's form). */
  type: FileType;
  /** Inode table block of the entry's inode (relative to the inode table). */
  inodeBlock: number;
  /** Offset of the inode in that (uncompressed) block. */
  inodeOffset: number;
  /** The inode number. */
  inodeNumber: number;
}

const bad = (why: string): never => {
  throw sifError('SQUASHFS_INVALID', why);
};

const decoder = new TextDecoder();

/** A name as text: ASCII (almost every name) without a call into the decoder, else UTF-8. */
function decodeName(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c >= 0x80) return decoder.decode(b);
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * Reads a whole listing. Parsed synchronously from loaded blocks; when a block is missing the parse
 * goes back to the last whole entry, waits for the block and goes on (linear in the listing's size).
 *
 * @param c - a cursor at the listing's start
 * @param size - the directory inode's size (listing + 3)
 * @param where - the directory's path, for messages
 * @returns the entries, in stored (sorted) order
 */
export async function readListing(c: MetadataCursor, size: number, where: string): Promise<DirEntry[]> {
  const entries: DirEntry[] = [];
  let left = size - 3;
  let run: { count: number; inodeBlock: number; base: number; i: number } | undefined;
  let mark = { pos: c.pos, offset: c.offset, left, run, n: 0 };
  for (;;) {
    try {
      while (left > 0 || (run && run.i < run.count)) {
        if (!run || run.i >= run.count) {
          if (left < 12) bad(`${where}: directory listing ends inside a header`);
          const h = c.takeSync(12);
          left -= 12;
          const count = u32le(h, 0) + 1;
          if (count > 256) bad(`${where}: directory header with ${count} entries (at most 256)`);
          run = { count, inodeBlock: u32le(h, 4), base: u32le(h, 8), i: 0 };
        }
        if (left < 8) bad(`${where}: directory listing ends inside an entry`);
        const e = c.takeSync(8);
        const inodeOffset = u16le(e, 0);
        const delta = (u16le(e, 2) << 16) >> 16; // signed
        const rawType = u16le(e, 4);
        const nameLen = u16le(e, 6) + 1;
        if (rawType < 1 || rawType > 7) bad(`${where}: directory entry of type ${rawType}`);
        if (nameLen > 256 || nameLen > left - 8) bad(`${where}: directory entry name of ${nameLen} bytes`);
        const nameBytes = c.takeSync(nameLen).slice();
        left -= 8 + nameLen;
        const name = decodeName(nameBytes);
        if (nameBytes.includes(0x2f) || nameBytes.includes(0) || name === '.' || name === '..') {
          bad(`${where}: directory entry with an unsafe name ${JSON.stringify(name)}`);
        }
        entries.push({ name, nameBytes, type: TYPE_NAMES[rawType - 1]!, inodeBlock: run.inodeBlock, inodeOffset, inodeNumber: run.base + delta });
        run.i++;
        mark = { pos: c.pos, offset: c.offset, left, run: { ...run }, n: entries.length };
      }
      return entries;
    } catch (x) {
      if (!(x instanceof NotReady)) throw x;
      // back to the last whole entry, then wait for the block
      c.pos = mark.pos;
      c.offset = mark.offset;
      left = mark.left;
      run = mark.run && { ...mark.run };
      entries.length = mark.n;
      await c.load(x);
    }
  }
}

/**
 * Byte-wise comparison of names (squashfs sorts entries this way).
 *
 * @param a - a name
 * @param b - another
 * @returns negative, zero or positive
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** One directory index entry: where a header of the listing starts and its first name. */
export interface DirIndex {
  /** Byte offset of the header from the listing's start. */
  index: number;
  /** Directory table block (relative to the table) the header is in. */
  start: number;
  /** The first name after that header. */
  name: Uint8Array;
}

/**
 * Reads an extended directory inode's index (it follows the inode in the inode table).
 *
 * @param c - a cursor just past the inode
 * @param count - the inode's index count
 * @param where - the directory's path, for messages
 * @returns the index entries
 */
export async function readIndex(c: MetadataCursor, count: number, where: string): Promise<DirIndex[]> {
  const out: DirIndex[] = [];
  for (let i = 0; i < count; i++) {
    const h = await c.take(12);
    const v = new DataView(h.buffer, h.byteOffset, 12);
    const index = v.getUint32(0, true);
    const start = v.getUint32(4, true);
    const size = v.getUint32(8, true) + 1;
    if (size > 256) bad(`${where}: directory index name of ${size} bytes`);
    const name = (await c.take(size)).slice();
    if (out.length && index < out[out.length - 1]!.index) bad(`${where}: directory index out of order`);
    out.push({ index, start, name });
  }
  return out;
}
