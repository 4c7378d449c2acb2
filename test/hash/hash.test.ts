// The hash core: NIST vectors for both back ends, and fast-check differential tests against
// node:crypto for random inputs split into random chunks, including the streaming range hasher.
import { createHash as nodeHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashBackend, nobleBackend, nodeBackendFrom, toHex, type HashAlgorithm, type HashBackend } from '../../src/hash/index.js';
import { digestRange, HASH_CHUNK } from '../../src/hash/stream.js';
import { BytesStore } from '../../src/io/source.js';

const backends: HashBackend[] = [nobleBackend, nodeBackendFrom(await import('node:crypto'))];
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const nodeName: Record<HashAlgorithm, string> = {
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
};

// FIPS 180-4 example vectors (NIST CSRC "Examples with Intermediate Values").
const vectors: [HashAlgorithm, Uint8Array, string][] = [
  ['sha256', utf8('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['sha256', utf8(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['sha256', utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ['sha256', new Uint8Array(1_000_000).fill(0x61), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
  ['sha224', utf8('abc'), '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7'],
  ['sha384', utf8('abc'), 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7'],
  [
    'sha512',
    utf8('abc'),
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
  ],
  ['sha512_224', utf8('abc'), '4634270f707b6a54daae7530460842e20e37ed265ceee9a43e8924aa'],
  ['sha512_256', utf8('abc'), '53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23'],
];

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
