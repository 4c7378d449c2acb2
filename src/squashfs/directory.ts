/**
 * Directory listings: runs of a 12-byte header (count − 1, inode block, base inode number) and
 * entries (offset, signed inode delta, basic type, name length − 1, name), `size − 3` bytes in all.
 *
 * @module
 */
import { sifError } from '../errors.js';
import { TYPE_NAMES, type FileType } from './inode.js';
import type { MetadataCursor } from './metadata.js';

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

/**
 * Reads a whole listing.
 *
 * @param c - a cursor at the listing's start
 * @param size - the directory inode's size (listing + 3)
 * @param where - the directory's path, for messages
 * @returns the entries, in stored (sorted) order
 */
export async function readListing(c: MetadataCursor, size: number, where: string): Promise<DirEntry[]> {
  const entries: DirEntry[] = [];
  let left = size - 3;
  if (left <= 0) return entries;
  while (left > 0) {
    if (left < 12) bad(`${where}: directory listing ends inside a header`);
    const h = await c.take(12);
    left -= 12;
    const hv = new DataView(h.buffer, h.byteOffset, 12);
    const count = hv.getUint32(0, true) + 1;
    const inodeBlock = hv.getUint32(4, true);
    const base = hv.getUint32(8, true);
    if (count > 256) bad(`${where}: directory header with ${count} entries (at most 256)`);
    for (let i = 0; i < count; i++) {
      if (left < 8) bad(`${where}: directory listing ends inside an entry`);
      const e = await c.take(8);
      const ev = new DataView(e.buffer, e.byteOffset, 8);
      const inodeOffset = ev.getUint16(0, true);
      const delta = ev.getInt16(2, true);
      const rawType = ev.getUint16(4, true);
      const nameLen = ev.getUint16(6, true) + 1;
      left -= 8;
      if (rawType < 1 || rawType > 7) bad(`${where}: directory entry of type ${rawType}`);
      if (nameLen > 256 || nameLen > left) bad(`${where}: directory entry name of ${nameLen} bytes`);
      const nameBytes = (await c.take(nameLen)).slice();
      left -= nameLen;
      const name = decoder.decode(nameBytes);
      if (nameBytes.includes(0x2f) || nameBytes.includes(0) || name === '.' || name === '..') {
        bad(`${where}: directory entry with an unsafe name ${JSON.stringify(name)}`);
      }
      const inodeNumber = base + delta;
      entries.push({ name, nameBytes, type: TYPE_NAMES[rawType - 1]!, inodeBlock, inodeOffset, inodeNumber });
    }
  }
  return entries;
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
