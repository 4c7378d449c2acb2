// `npm run fuzz`, SquashFS part: structure-aware damage to the committed SquashFS images (every
// codec's fixture partition, the uncompressed one, the bomb images): superblock fields, metadata
// block headers, random bytes, truncation. Every read of the damaged file system (walk, every file's
// bytes, xattrs, symlinks followed) must end in a complete read or a SifError, within a time bound.
// Duration: SIFKIT_FUZZ_MINUTES (default 10, shared with the SIF fuzzer) or SIFKIT_FUZZ_RUNS.
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSifError } from '../../src/errors.js';
import { BytesStore } from '../../src/io/source.js';
import { loadImage } from '../../src/image/image.js';
import { SquashFs } from '../../src/squashfs/fs.js';
import { rootFsObject } from '../../src/squashfs/rootfs.js';
import { TESTDATA } from '../helpers/paths.js';

async function corpus(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const out: { name: string; bytes: Uint8Array }[] = [];
  const images = join(TESTDATA, 'squashfs/images');
  for (const f of readdirSync(images).filter((n) => n.endsWith('.sif') && !n.startsWith('huge'))) {
    const sif = new Uint8Array(readFileSync(join(images, f)));
    const d = rootFsObject(await loadImage(sif));
    out.push({ name: f, bytes: sif.slice(d.offset, d.offset + d.size) });
  }
  const hostile = join(TESTDATA, 'squashfs/hostile');
  for (const f of readdirSync(hostile)) out.push({ name: f, bytes: new Uint8Array(readFileSync(join(hostile, f))) });
  return out;
}

type Damage = { kind: 'sb'; at: number; value: number } | { kind: 'byte'; at: number; value: number } | { kind: 'cut'; at: number };

const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('sb' as const), at: fc.integer({ min: 0, max: 95 }), value: fc.constantFrom(0, 1, 0xff, 0x80, 0x7f, 0x10, 0x20) }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
);

async function readAll(fs: SquashFs): Promise<void> {
  for await (const e of fs.walk()) {
    if (e.stat.type === 'file') for await (const _ of fs.nodeChunks(e.node));
    if (e.stat.type === 'symlink') await fs.stat(e.path).catch((x: unknown) => {
      if (!isSifError(x)) throw x;
    });
    await fs.nodeXattrs(e.node);
  }
}

describe('fuzz: damaged SquashFS', () => {
  it('every damaged image reads completely or fails with a SifError, quickly', async () => {
    const items = await corpus();
    const minutes = Number(process.env.SIFKIT_FUZZ_MINUTES ?? 10);
    const start = Date.now();
    let runs = 0;
    let failed = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: items.length - 1 }), fc.array(damageArb, { minLength: 1, maxLength: 6 }), async (i, damage) => {
        if (Date.now() - start > minutes * 60_000) return;
        runs++;
        let b = items[i]!.bytes.slice();
        for (const d of damage) {
          if (d.kind === 'cut') b = b.subarray(0, d.at % (b.length + 1));
          else if (b.length) b[d.at % b.length] = d.value;
        }
        const t = Date.now();
        try {
          await readAll(await SquashFs.open(new BytesStore(b)));
        } catch (e) {
          if (!isSifError(e)) throw new Error(`${items[i]!.name} ${JSON.stringify(damage)}: not a SifError: ${String(e)}`);
          failed++;
        }
        expect(Date.now() - t, `${items[i]!.name} ${JSON.stringify(damage)}`).toBeLessThan(10_000);
      }),
      { numRuns: Number(process.env.SIFKIT_FUZZ_RUNS ?? Number.MAX_SAFE_INTEGER), interruptAfterTimeLimit: minutes * 60_000 },
    );
    console.log(`squashfs fuzz: ${runs} damaged images, ${failed} refused, ${(runs / ((Date.now() - start) / 1000)).toFixed(0)}/s`);
  }, 24 * 3600_000);
});
