/**
 * Extended attributes: the xattr id table (per-inode index → reference, pair count, size) and the
 * key/value area (`user.`, `trusted.`, `security.` names; values stored in line or, flagged 0x100,
 * out of line behind a reference).
 *
 * @module
 */
import { sifError } from '../errors.js';
import type { ByteSource } from '../io/source.js';
import type { MetadataReader } from './metadata.js';
import type { Superblock } from './superblock.js';
import { u32le } from './bytes.js';

/** One extended attribute. */
export interface Xattr {
  /** Full name, with its prefix (`user.comment`). */
  name: string;
  /** The value bytes. */
  value: Uint8Array;
}

const PREFIXES = ['user.', 'trusted.', 'security.'];
const bad = (why: string): never => {
  throw sifError('SQUASHFS_INVALID', why);
};

/**
 * Reads the xattrs of one inode.
 *
 * @param src - the source
 * @param base - the file system's offset in the source
 * @param sb - the superblock (with an xattr id table)
 * @param meta - the metadata reader
 * @param index - the inode's xattr index
 * @param where - the path, for messages
 * @returns the attributes
 */
export async function readXattrs(src: ByteSource, base: number, sb: Superblock, meta: MetadataReader, index: number, where: string): Promise<Xattr[]> {
  const start = sb.xattrIdTableStart!;
  if (start + 16 > sb.bytesUsed) bad(`${where}: xattr id table lies outside the file system`);
  const hb = await src.read(base + start, 16);
  const head = new DataView(hb.buffer, hb.byteOffset, 16);
  const kvStart = Number(head.getBigUint64(0, true));
  const count = head.getUint32(8, true);
  if (index >= count) bad(`${where}: xattr index ${index} past the table's ${count} entries`);
  if (kvStart > sb.bytesUsed) bad(`${where}: xattr key/value area lies outside the file system`);
  const listPos = start + 16 + Math.floor(index / 512) * 8;
  if (listPos + 8 > sb.bytesUsed) bad(`${where}: xattr id location list lies outside the file system`);
  const lb = await src.read(base + listPos, 8);
  const blockPos = Number(new DataView(lb.buffer, lb.byteOffset, 8).getBigUint64(0, true));
  const idc = meta.cursor(blockPos, (index % 512) * 16, sb.bytesUsed, 'xattr id table');
  const id = await idc.take(16);
  const iv = new DataView(id.buffer, id.byteOffset, 16);
  const ref = iv.getBigUint64(0, true);
  const pairs = iv.getUint32(8, true);
  if (pairs > 65536) bad(`${where}: ${pairs} xattrs`);
  const c = meta.cursor(kvStart + Number(ref >> 16n), Number(ref & 0xffffn), sb.bytesUsed, `xattrs of ${where}`);
  const out: Xattr[] = [];
  for (let i = 0; i < pairs; i++) {
    const k = await c.take(4);
    const kv = new DataView(k.buffer, k.byteOffset, 4);
    const type = kv.getUint16(0, true);
    const nameLen = kv.getUint16(2, true);
    const prefix = PREFIXES[type & 0xff];
    if (prefix === undefined) bad(`${where}: xattr of unknown type ${type}`);
    const name = prefix + new TextDecoder().decode(await c.take(nameLen));
    const vs = u32le(await c.take(4), 0);
    if (vs > 1 << 24) bad(`${where}: xattr value of ${vs} bytes`);
    let value = (await c.take(vs)).slice();
    if (type & 0x100) {
      if (vs !== 8) bad(`${where}: out-of-line xattr reference of ${vs} bytes`);
      const r = new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0, true);
      const vc = meta.cursor(kvStart + Number(r >> 16n), Number(r & 0xffffn), sb.bytesUsed, `xattr value of ${where}`);
      const len = u32le(await vc.take(4), 0);
      if (len > 1 << 24) bad(`${where}: xattr value of ${len} bytes`);
      value = (await vc.take(len)).slice();
    }
    out.push({ name, value });
  }
  return out;
}
