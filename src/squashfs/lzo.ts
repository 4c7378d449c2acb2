/**
 * LZO1X decompression (what squashfs's lzo compressor stores: raw LZO1X, decoded by
 * `lzo1x_decompress_safe`), following the stream format of liblzo2 and Linux's
 * `lib/lzo/lzo1x_decompress_safe.c`. Hand-written: the npm options are a native addon (`lzo`) or an
 * FFmpeg WebAssembly build that loads a worker (`lzo-wasm`); the decoder is ~100 lines, and every
 * input read, output write and back-reference is bounds-checked here.
 *
 * @module
 */
import { sifError } from '../errors.js';

const bad = (why: string): never => {
  throw sifError('SQUASHFS_INVALID', `lzo block does not decompress: ${why}`);
};

/**
 * Decompresses one LZO1X block.
 *
 * @param src - the compressed block
 * @param limit - the most bytes it may decompress to
 * @returns the bytes
 * @throws SifError `SQUASHFS_INVALID` on malformed input or output past `limit`
 */
export function lzo1xDecompress(src: Uint8Array, limit: number): Uint8Array {
  const out = new Uint8Array(limit);
  const n = src.length;
  let ip = 0;
  let op = 0;
  let state = 0;
  let t = 0;
  let next = 0;
  let mpos = 0;
  const needIn = (k: number): void => {
    if (ip + k > n) bad('input overrun');
  };
  const needOut = (k: number): void => {
    if (op + k > limit) bad(`output past its ${limit}-byte limit`);
  };
  const literals = (k: number): void => {
    needIn(k);
    needOut(k);
    out.set(src.subarray(ip, ip + k), op);
    ip += k;
    op += k;
  };
  /** A run length continued in zero bytes: each zero adds 255, then the final byte. */
  const extended = (base: number): number => {
    let add = 0;
    needIn(1);
    while (src[ip] === 0) {
      add += 255;
      ip++;
      needIn(1);
    }
    return base + add + src[ip++]!;
  };
  const copyMatch = (len: number): void => {
    if (mpos < 0) bad('look-behind overrun');
    needOut(len);
    for (let i = 0; i < len; i++) out[op++] = out[mpos++]!;
  };

  needIn(3);
  let phase: 'loop' | 'matchNext' = 'loop';
  if (src[0]! > 17) {
    t = src[ip++]! - 17;
    if (t < 4) {
      next = t;
      phase = 'matchNext';
    } else {
      literals(t);
      state = 4;
    }
  }
  for (;;) {
    if (phase === 'loop') {
      needIn(1);
      t = src[ip++]!;
      if (t < 16) {
        if (state === 0) {
          if (t === 0) t = extended(15);
          literals(t + 3);
          state = 4;
          continue;
        }
        next = t & 3;
        needIn(1);
        if (state !== 4) {
          mpos = op - 1 - (t >> 2) - (src[ip++]! << 2);
          copyMatch(2);
          phase = 'matchNext';
          continue;
        }
        mpos = op - (1 + 0x800) - (t >> 2) - (src[ip++]! << 2);
        t = 3;
      } else if (t >= 64) {
        next = t & 3;
        needIn(1);
        mpos = op - 1 - ((t >> 2) & 7) - (src[ip++]! << 3);
        t = (t >> 5) + 1;
      } else if (t >= 32) {
        t = (t & 31) + 2;
        if (t === 2) t = extended(31) + 2;
        needIn(2);
        next = src[ip]! | (src[ip + 1]! << 8);
        ip += 2;
        mpos = op - 1 - (next >> 2);
        next &= 3;
      } else {
        mpos = op - ((t & 8) << 11);
        t = (t & 7) + 2;
        if (t === 2) t = extended(7) + 2;
        needIn(2);
        next = src[ip]! | (src[ip + 1]! << 8);
        ip += 2;
        mpos -= next >> 2;
        next &= 3;
        if (mpos === op) {
          // End of stream: the marker is a 3-byte M4 with distance 0, and all input is used.
          if (t !== 3) bad('bad end marker');
          if (ip !== n) bad('input not consumed');
          return out.subarray(0, op);
        }
        mpos -= 0x4000;
      }
      copyMatch(t);
    }
    phase = 'loop';
    state = next;
    literals(next);
  }
}
