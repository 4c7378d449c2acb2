// Quick crash-safety run (the full run, every fault at every mutation, is
// test/interop/crash-safety-full.test.ts): each editing command killed, failing and short-writing at
// a spread of points, then the image is the original or the complete result, length included.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CRASH_CASES, crashAt, expectedResult, sifkitProcess } from '../helpers/crash.js';
import { TESTDATA } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a killed or failing edit leaves the original or the complete result', () => {
  for (const c of CRASH_CASES) {
    it(`${c.name}: killed, ENOSPC, EIO and short writes at early, middle and late points`, async () => {
      const { orig, want } = expectedResult(dir, c);
      // Mutation 1..3 are the journal's creation; the image's own writes follow.
      const plan: [Parameters<typeof crashAt>[2], number][] = [
        ['kill', 2],
        ['kill', 6],
        ['short', 5],
        ['enospc', 7],
        ['eio', 9],
        ['kill', 12],
      ];
      let interrupted = 0;
      for (const [fault, n] of plan) if (!(await crashAt(dir, c, fault, n, orig, want))) interrupted++;
      expect(interrupted).toBeGreaterThan(2);
    }, 60_000);
  }

  it('keyring writes: import killed at any point leaves the keyring as it was or complete', () => {
    const ring = join(dir, 'ring');
    const env = { SINGULARITY_SYPGPDIR: ring };
    expect(sifkitProcess(['key', 'import', join(TESTDATA, 'keys/sample-public.asc')], env).code).toBe(0);
    const before = readFileSync(join(ring, 'pgp-public'));
    let after: Buffer | undefined;
    for (let n = 1; n < 50; n++) {
      const r = sifkitProcess(['key', 'import', join(TESTDATA, 'keys/other-public.asc')], { ...env, SIFKIT_FAULT_INJECT: `kill@${n}` });
      const now = readFileSync(join(ring, 'pgp-public'));
      if (r.code === 0) {
        after = now;
        break;
      }
      expect(now.equals(before), `kill@${n}`).toBe(true);
    }
    expect(after!.length).toBeGreaterThan(before.length);
  }, 60_000);
});
