// The full crash-safety run: every editing command, each of kill / ENOSPC / EIO / short write at every
// mutation until the command completes, the outcome checked as in the quick unit run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CRASH_CASES, crashAt, expectedResult, type Fault } from '../helpers/crash.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-crash-full-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('every fault at every write, truncate and sync', () => {
  for (const c of CRASH_CASES) {
    for (const fault of ['kill', 'enospc', 'eio', 'short'] as Fault[]) {
      it(`${c.name}: ${fault}`, async () => {
        const { orig, want } = expectedResult(dir, c);
        let points = 0;
        for (let n = 1; n < 400; n++) {
          if (await crashAt(dir, c, fault, n, orig, want)) break;
          points++;
        }
        expect(points).toBeGreaterThan(2);
      }, 600_000);
    }
  }
});
