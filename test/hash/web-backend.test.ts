// The browser hash back end (hash-wasm streamed, WebCrypto one-shot): NIST vectors, random chunkings
// against @noble/hashes (itself checked against node:crypto in hash.test.ts), both digestRange paths,
// and an empty pool. Portable: runs on Node and in Chromium (npm run test:browser).
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { nobleBackend, setHashBackend, toHex, type HashAlgorithm } from '../../src/hash/index.js';
import { digestRange } from '../../src/hash/stream.js';
import { webHashBackend } from '../../src/hash/web.js';
import { BytesStore } from '../../src/io/source.js';
import { vectors } from '../helpers/hash-vectors.js';

const algs: HashAlgorithm[] = ['sha224', 'sha256', 'sha384', 'sha512', 'sha512_224', 'sha512_256'];
const wasm = await webHashBackend({ pool: 2 });

afterEach(() => setHashBackend('auto'));

describe('web hash back end', () => {
  it('is named wasm and offers WebCrypto one-shot digests up to 64 MiB', () => {
    expect(wasm.name).toBe('wasm');
    expect(wasm.oneShotLimit).toBe(64 << 20);
  });
  it.each(vectors)('%s NIST vector %#', async (alg, msg, hex) => {
    expect(toHex(wasm.create(alg).update(msg).digest())).toBe(hex);
    expect(toHex(await wasm.digestOnce!(alg, msg))).toBe(hex);
  });
  it('random chunkings of random inputs equal @noble/hashes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...algs), fc.uint8Array({ maxLength: 5000 }), fc.array(fc.nat({ max: 5000 }), { maxLength: 6 }), (alg, data, cuts) => {
        const points = [...new Set([0, ...cuts.map((c) => c % (data.length + 1)), data.length])].sort((a, b) => a - b);
        const h = wasm.create(alg);
        for (let i = 1; i < points.length; i++) h.update(data.subarray(points[i - 1], points[i]));
        expect(toHex(h.digest())).toBe(toHex(nobleBackend.create(alg).update(data).digest()));
      }),
      { numRuns: 150 },
    );
  });
  it('more hashes at once than the pool holds still give the right digests', () => {
    const data = new Uint8Array(10_000).map((_, i) => i * 31);
    const want = toHex(nobleBackend.create('sha256').update(data).digest());
    const hs = Array.from({ length: 9 }, () => wasm.create('sha256'));
    for (const h of hs) h.update(data.subarray(0, 4000));
    for (const h of hs) h.update(data.subarray(4000));
    expect(hs.map((h) => toHex(h.digest()))).toEqual(Array(9).fill(want));
  });
  it.each([
    ['one-shot (WebCrypto)', 64 << 20],
    ['streamed (WebAssembly)', 0],
  ])('digestRange %s equals @noble/hashes, with progress to the end', async (_name, limit) => {
    setHashBackend(await webHashBackend({ oneShotLimit: limit }));
    const data = new Uint8Array((9 << 20) + 17).map((_, i) => (i * 7) ^ (i >> 9));
    const src = new BytesStore(data);
    for (const alg of ['sha256', 'sha384', 'sha512_256'] as const) {
      let last = 0;
      const d = await digestRange(alg, src, 1234, data.length - 2000, (n) => (last = n));
      expect(toHex(d)).toBe(toHex(nobleBackend.create(alg).update(data.subarray(1234, data.length - 766)).digest()));
      expect(last).toBe(data.length - 2000);
    }
  });
  it('a range past the end is refused on both paths', async () => {
    for (const limit of [64 << 20, 0]) {
      setHashBackend(await webHashBackend({ oneShotLimit: limit }));
      await expect(digestRange('sha256', new BytesStore(new Uint8Array(100)), 50, 51)).rejects.toMatchObject({ code: expect.any(String) });
    }
  });
});
