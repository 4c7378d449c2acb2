/**
 * The portable gzip decoder (fflate, used where there is no node:zlib) against Node's zlib: the
 * same bytes, and output past the limit refused while inflating.
 */
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decompressor, portableGzip } from '../../src/squashfs/codecs.js';

describe('gzip decoders', () => {
  it('fflate and node:zlib agree on any block', async () => {
    const portable = await portableGzip();
    const node = await decompressor(1);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 20000 }), fc.integer({ min: 0, max: 9 }), async (data, level) => {
        const z = deflateSync(data, { level });
        const limit = Math.max(1, data.length);
        expect(await portable(z, limit)).toEqual(data.length ? data : new Uint8Array(0));
        if (data.length) expect(await node(z, limit)).toEqual(data);
      }),
      { numRuns: 200 },
    );
  });
  it('both refuse a block that inflates past its limit', async () => {
    const bomb = deflateSync(new Uint8Array(1 << 20));
    await expect((await portableGzip())(bomb, 8192)).rejects.toMatchObject({ code: 'SQUASHFS_INVALID', message: 'gzip block decompresses past its 8192-byte limit' });
    await expect((await decompressor(1))(bomb, 8192)).rejects.toMatchObject({ code: 'SQUASHFS_INVALID', message: 'gzip block decompresses past its 8192-byte limit' });
  });
  it('both refuse garbage', async () => {
    await expect((await portableGzip())(new Uint8Array([1, 2, 3, 4]), 8192)).rejects.toMatchObject({ code: 'SQUASHFS_INVALID' });
    await expect((await decompressor(1))(new Uint8Array([1, 2, 3, 4]), 8192)).rejects.toMatchObject({ code: 'SQUASHFS_INVALID' });
  });
});
