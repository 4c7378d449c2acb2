/**
 * Hashing a byte range of a random-access source, overlapping reads with hashing: while one buffer
 * is hashed the next read is already in flight. Two buffers, reused; nothing held beyond them.
 *
 * @module
 */
import { sifError } from '../errors.js';
import { checkRange, type ByteSource } from '../io/source.js';
import { createHash, hashBackend, type HashAlgorithm, type Hasher } from './index.js';

/** Buffer size for streaming digests (4 MiB: large reads, few syscalls). */
export const HASH_CHUNK = 4 << 20;

/** Progress callback: bytes hashed so far in this range. */
export type ProgressFn = (bytes: number) => void;

/**
 * Feeds `length` bytes at `offset` of `source` into `hasher`.
 *
 * @param hasher - a running hash
 * @param source - the bytes
 * @param offset - start
 * @param length - count
 * @param onProgress - called after each chunk with the running total
 */
export async function updateFromSource(
  hasher: Hasher,
  source: ByteSource,
  offset: number,
  length: number,
  onProgress?: ProgressFn,
): Promise<void> {
  checkRange(source.size, offset, length);
  if (length === 0) return;
  const size = Math.min(HASH_CHUNK, length);
  const bufs = [new Uint8Array(size), new Uint8Array(size)];
  const readAt = async (pos: number, buf: Uint8Array): Promise<Uint8Array> => {
    const want = Math.min(buf.length, length - pos);
    const n = await source.readInto(want === buf.length ? buf : buf.subarray(0, want), offset + pos);
    if (n !== want) throw sifError('TRUNCATED', `short read at offset ${offset + pos}: the image changed or ended early`);
    return buf.subarray(0, n);
  };
  let pos = 0;
  let pending = readAt(0, bufs[0]!);
  let which = 0;
  while (pos < length) {
    const chunk = await pending;
    pos += chunk.length;
    which ^= 1;
    if (pos < length) pending = readAt(pos, bufs[which]!);
    hasher.update(chunk);
    onProgress?.(pos);
  }
}

/**
 * Digest of a byte range.
 *
 * @param alg - algorithm
 * @param source - the bytes
 * @param offset - start
 * @param length - count
 * @param onProgress - progress callback
 * @returns the digest
 */
export async function digestRange(
  alg: HashAlgorithm,
  source: ByteSource,
  offset: number,
  length: number,
  onProgress?: ProgressFn,
): Promise<Uint8Array> {
  const backend = hashBackend();
  if (backend.digestOnce && length <= (backend.oneShotLimit ?? 0)) {
    checkRange(source.size, offset, length);
    const buf = new Uint8Array(length);
    const n = await source.readInto(buf, offset);
    if (n !== length) throw sifError('TRUNCATED', `short read at offset ${offset + n}: the image changed or ended early`);
    const d = await backend.digestOnce(alg, buf);
    onProgress?.(length);
    return d;
  }
  const h = createHash(alg);
  await updateFromSource(h, source, offset, length, onProgress);
  return h.digest();
}
