// The hash core: NIST vectors for both back ends, and fast-check differential tests against
// node:crypto for random inputs split into random chunks, including the streaming range hasher.
import { createHash as nodeHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashBackend, nobleBackend, nodeBackendFrom, toHex, type HashAlgorithm, type HashBackend } from '../../src/hash/index.js';
import { digestRange, HASH_CHUNK } from '../../src/hash/stream.js';
import { BytesStore } from '../../src/io/source.js';
import { vectors } from '../helpers/hash-vectors.js';

const backends: HashBackend[] = [nobleBackend, nodeBackendFrom(await import('node:crypto'))];
const nodeName: Record<HashAlgorithm, string> = {
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
};


describe('hash back ends', () => {
  it('node:crypto is the default on Node', () => {
    expect(hashBackend().name).toBe('node');
  });
  for (const b of backends) {
    it.each(vectors)(`${b.name}: %s NIST vector %#`, (alg, msg, hex) => {
      expect(toHex(b.create(alg).update(msg).digest())).toBe(hex);
    });
    it(`${b.name}: random chunkings of random inputs equal node:crypto`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom<HashAlgorithm>('sha224', 'sha256', 'sha384', 'sha512', 'sha512_224', 'sha512_256'),
          fc.uint8Array({ maxLength: 5000 }),
          fc.array(fc.nat({ max: 5000 }), { maxLength: 6 }),
          (alg, data, cuts) => {
            const points = [...new Set([0, ...cuts.map((c) => c % (data.length + 1)), data.length])].sort((a, b) => a - b);
            const h = b.create(alg);
            for (let i = 1; i < points.length; i++) h.update(data.subarray(points[i - 1], points[i]));
            expect(toHex(h.digest())).toBe(nodeHash(nodeName[alg]).update(data).digest('hex'));
          },
        ),
        { numRuns: 200 },
      );
    });
  }
});

describe('streaming range digests', () => {
  it('ranges across the 4 MiB read buffer boundaries equal a one-shot digest', async () => {
    const data = new Uint8Array(HASH_CHUNK * 2 + 12345);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    const src = new BytesStore(data);
    for (const [off, len] of [
      [0, data.length],
      [1, HASH_CHUNK],
      [HASH_CHUNK - 7, HASH_CHUNK + 14],
      [100, 0],
      [data.length - 1, 1],
    ] as const) {
      const want = nodeHash('sha256').update(data.subarray(off, off + len)).digest('hex');
      expect(toHex(await digestRange('sha256', src, off, len)), `${off}+${len}`).toBe(want);
    }
  });
  it('reports progress up to the range length', async () => {
    const seen: number[] = [];
    await digestRange('sha256', new BytesStore(new Uint8Array(HASH_CHUNK + 5)), 0, HASH_CHUNK + 5, (n) => seen.push(n));
    expect(seen).toEqual([HASH_CHUNK, HASH_CHUNK + 5]);
  });
});
