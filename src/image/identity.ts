/**
 * The identity of an image's structure: a SHA-256 digest of its global header and descriptor table.
 * An edit's crash journal records it before and after the edit, so recovery can prove that the file
 * it is about to repair is the image the journal was written for (and not another file put there
 * since, or one a journal was planted beside).
 *
 * @module
 */
import { DESCRIPTOR_SIZE } from '../format/descriptor.js';
import { HEADER_SIZE } from '../format/header.js';
import { createHash } from '../hash/index.js';

/** Reads `length` bytes at `offset`; bytes past the end of the file read as zeros. */
export type ZeroFillRead = (offset: number, length: number) => Promise<Uint8Array>;

const TABLE_CHUNK = 1 << 20;

/**
 * Digest of the header and the descriptor table the header points at (the table is located from
 * the header's own fields, read raw: a damaged header still has an identity). The table range is cut
 * at `size`, so a hostile header cannot make this read more than the file holds.
 *
 * @param read - reads the image (zero-filled past its end)
 * @param size - the image's size
 * @returns 32-byte SHA-256 digest
 */
export async function structureDigest(read: ZeroFillRead, size: number): Promise<Uint8Array> {
  const h = createHash('sha256');
  const header = await read(0, HEADER_SIZE);
  h.update(header);
  const v = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const total = v.getBigInt64(88, true);
  const offset = v.getBigInt64(96, true);
  if (total > 0n && offset >= 0n && offset < BigInt(size)) {
    const start = Number(offset);
    const want = total * BigInt(DESCRIPTOR_SIZE);
    const end = Math.min(size, start + Number(want > BigInt(size) ? BigInt(size) : want));
    for (let pos = start; pos < end; pos += TABLE_CHUNK) h.update(await read(pos, Math.min(TABLE_CHUNK, end - pos)));
  }
  return h.digest();
}

/**
 * A {@link ZeroFillRead} over a random-access source.
 *
 * @param source - the bytes
 * @param source.size - current size
 * @param source.readInto - reads into a buffer, short at the end
 * @returns the reader
 */
export function zeroFillReader(source: { size: number; readInto(buffer: Uint8Array, offset: number): Promise<number> }): ZeroFillRead {
  return async (offset, length) => {
    const buf = new Uint8Array(length);
    if (offset < source.size) await source.readInto(buf.subarray(0, Math.min(length, source.size - offset)), offset);
    return buf;
  };
}
