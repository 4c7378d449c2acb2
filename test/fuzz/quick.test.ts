// Quick fuzz run inside `npm test`: structure-aware mutations of real images; no untyped exception,
// no hang, verified only when every covered byte is the original's. The seed is printed on failure
// (fast-check), so any finding replays: SIFKIT_SEED=<seed> npm test.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { corpus, fuzzProperty } from './fuzz-core.js';

describe('fuzz (quick)', () => {
  it('mutated images: typed errors only, bounded time, no false "verified"', async () => {
    const items = await corpus();
    await fc.assert(fuzzProperty(items, 5000), {
      numRuns: Number(process.env.SIFKIT_FUZZ_RUNS ?? 4000),
      ...(process.env.SIFKIT_SEED ? { seed: Number(process.env.SIFKIT_SEED) } : {}),
    });
  }, 300_000);
});
