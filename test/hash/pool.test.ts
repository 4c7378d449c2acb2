// The worker pool hashes ranges of an open file through the caller's descriptor: same digests as
// inline hashing, in parallel, with progress, and typed errors.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStore, HashPool, loadImage, verifyImage, workerHasher, workersFor, readPgpKeys } from '../../src/node.js';
import { toHex } from '../../src/hash/index.js';
import { readFileSync } from 'node:fs';
import { TESTDATA } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('HashPool', () => {
  it('digests ranges like node:crypto, several at once', async () => {
    const data = Buffer.alloc(9 << 20);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
    const path = join(dir, 'data.bin');
    writeFileSync(path, data);
    const store = await FileStore.open(path);
    const pool = new HashPool(2);
    try {
      const ranges: [number, number][] = [
        [0, data.length],
        [5, 4 << 20],
        [(4 << 20) - 3, 6],
        [100, 0],
      ];
      const progress: number[] = [];
      const got = await Promise.all(ranges.map(([o, l], i) => pool.digest(store.handle.fd, o, l, i === 1 ? 'sha384' : 'sha256', i === 0 ? (n) => progress.push(n) : undefined)));
      ranges.forEach(([o, l], i) => {
        expect(toHex(got[i]!)).toBe(createHash(i === 1 ? 'sha384' : 'sha256').update(data.subarray(o, o + l)).digest('hex'));
      });
      expect(progress[progress.length - 1]).toBe(data.length);
      await expect(pool.digest(store.handle.fd, data.length - 10, 100, 'sha256')).rejects.toMatchObject({ code: 'IO_ERROR' });
    } finally {
      await pool.close();
      await store.close();
    }
  });

  it('verification with the worker hasher gives the same report', async () => {
    const keys = await readPgpKeys(new Uint8Array(readFileSync(join(TESTDATA, 'keys/sample-public.asc'))));
    const keyring = { entries: keys.map((key) => ({ key, source: 'local' as const })) };
    const store = await FileStore.open(join(TESTDATA, 'images/multi-signed.sif'));
    const img = await loadImage(store);
    const pool = new HashPool(2);
    try {
      const a = await verifyImage(img, { keyring });
      const b = await verifyImage(img, { keyring, objectHasher: workerHasher(pool, 1) });
      expect(b.verified).toBe(true);
      expect(b.results.map((r) => r.verified.map((d) => d.id))).toEqual(a.results.map((r) => r.verified.map((d) => d.id)));
      expect(workersFor(img)).toBe(0);
    } finally {
      await pool.close();
      await img.close();
    }
  });
});
