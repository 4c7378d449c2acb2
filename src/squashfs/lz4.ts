/**
 * LZ4 raw block decompression (what squashfs stores: `LZ4_decompress_safe` blocks, no frame).
 * Hand-written because it is ~50 lines and the npm LZ4 packages either speak only the frame format,
 * ship native or WebAssembly builds, or are unmaintained; every read and write is bounds-checked.
 *
 * @module
 */
import { sifError } from '../errors.js';

const bad = (why: string): never => {
  throw sifError('SQUASHFS_INVALID', `lz4 block does not decompress: ${why}`);
};

/**
 * Decompresses one raw LZ4 block.
 *
 * @param src - the compressed block
 * @param limit - the most bytes it may decompress to
 * @returns the bytes
 * @throws SifError `SQUASHFS_INVALID` on malformed input or output past `limit`
 */
export function lz4DecompressBlock(src: Uint8Array, limit: number): Uint8Array {
  const out = new Uint8Array(limit);
  let ip = 0;
  let op = 0;
  for (;;) {
    if (ip >= src.length) bad('truncated');
    const token = src[ip++]!;
    let lit = token >> 4;
    if (lit === 15) {
      for (let b = 255; b === 255; ) {
        if (ip >= src.length) bad('truncated literal length');
        b = src[ip++]!;
        lit += b;
      }
    }
    if (ip + lit > src.length) bad('literals past the end');
    if (op + lit > limit) bad(`output past its ${limit}-byte limit`);
    out.set(src.subarray(ip, ip + lit), op);
    ip += lit;
    op += lit;
    if (ip === src.length) break; // the last sequence has literals only
    if (ip + 2 > src.length) bad('truncated offset');
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > op) bad('match offset out of range');
    let len = (token & 15) + 4;
    if ((token & 15) === 15) {
      for (let b = 255; b === 255; ) {
        if (ip >= src.length) bad('truncated match length');
        b = src[ip++]!;
        len += b;
      }
    }
    if (op + len > limit) bad(`output past its ${limit}-byte limit`);
    for (let from = op - offset, end = op + len; op < end; ) out[op++] = out[from++]!;
  }
  return out.subarray(0, op);
}
