// `npm run fuzz`: the long fuzz run, differential against the reference. For every mutated image,
// sifkit's verdict (verified or not, which objects) must equal sif-ref's; sifkit refusing to load
// is fine only where the reference does not verify either; a crash of the reference counts as "not
// verified". Duration: SIFKIT_FUZZ_MINUTES (default 10) or SIFKIT_FUZZ_RUNS. Prints iterations/s.
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { oracle } from '../interop/tools.js';
import { corpus, fuzzProperty } from './fuzz-core.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface OracleAnswer {
  ok: boolean;
  crashed?: string;
  results: { verified: number[] | null }[] | null;
}

describe('fuzz: differential against the reference', () => {
  it('mutated images get the reference verdict', async () => {
    const items = await corpus(process.env.SIFKIT_REFERENCE_FIXTURES !== undefined);
    const minutes = Number(process.env.SIFKIT_FUZZ_MINUTES ?? 10);
    let runs = 0;
    let verified = 0;
    let refused = 0;
    const start = Date.now();
    const prop = fuzzProperty(items, 10_000, async (c, m, bytes, verdict) => {
      runs++;
      if (verdict.verified) verified++;
      if (verdict.loadError) refused++;
      if (!c.keyFile) return; // DSSE: the 2.8.3 reference has no DSSE
      const path = join(dir, 'm.sif');
      writeFileSync(path, bytes);
      const ref = oracle<OracleAnswer>(['verify', '--key', c.keyFile, path]);
      const why = `${c.name} ${JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? `<${v.length} bytes>` : v))}`;
      if (ref.crashed || verdict.loadError) {
        expect(ref.ok, `${why}: sifkit refused or the reference crashed, but the reference verified`).toBe(false);
        expect(verdict.verified, why).toBe(false);
        return;
      }
      expect(verdict.verified, `${why}: verdicts differ`).toBe(ref.ok);
      if (ref.ok) {
        expect(verdict.ids, why).toEqual((ref.results ?? []).flatMap((r) => r.verified ?? []));
      }
    });
    await fc.assert(prop, {
      numRuns: Number(process.env.SIFKIT_FUZZ_RUNS ?? Number.MAX_SAFE_INTEGER),
      interruptAfterTimeLimit: minutes * 60_000,
      markInterruptAsFailure: false,
      ...(process.env.SIFKIT_SEED ? { seed: Number(process.env.SIFKIT_SEED) } : {}),
    });
    const secs = (Date.now() - start) / 1000;
    console.log(`fuzz: ${runs} iterations in ${secs.toFixed(0)} s (${(runs / secs).toFixed(1)}/s), ${verified} still verified, ${refused} refused at load, 0 disagreements`);
    expect(runs).toBeGreaterThan(0);
  }, 24 * 3600_000);
});
