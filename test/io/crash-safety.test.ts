// Crash safety of every write path: sign, add, del (zero, compact), setprim and keyring writes.
// Fault injection in the I/O layer (SIFKIT_FAULT_INJECT) kills the process (SIGKILL) or fails with
// ENOSPC / EIO at each write, truncate and sync in turn; afterwards (recovery runs on the next open)
// the file must be byte-identical to the original or to the complete result.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, TESTDATA } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sifkit(args: string[], env: Record<string, string> = {}, input?: string): { code: number | null; signal: NodeJS.Signals | null; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, input, encoding: 'utf8' });
  return { code: r.status, signal: r.signal, stderr: r.stderr };
}

const T = ['--time', '2026-01-02T03:04:05Z'];
const cases: { name: string; base: string; args: (img: string) => string[]; env?: Record<string, string> }[] = [
  { name: 'sign', base: 'multi.sif', args: (img) => ['sign', '--key', join(TESTDATA, 'keys/sample-secret.asc'), '--deterministic', ...T, img] },
  { name: 'add', base: 'sample.sif', args: (img) => ['add', img, join(TESTDATA, 'input/data.bin'), '--datatype', '7', '--groupid', '2', ...T] },
  { name: 'del --zero', base: 'multi.sif', args: (img) => ['del', '--zero', ...T, '6', img] },
  { name: 'del --compact', base: 'multi.sif', args: (img) => ['del', '--compact', '--zero', ...T, '10', img] },
  { name: 'setprim', base: 'multi.sif', args: (img) => ['setprim', ...T, '10', img] },
];

describe('a killed or failing edit leaves the original or the complete result', () => {
  for (const c of cases) {
    it(`${c.name}: at every write, truncate and sync`, () => {
      const original = join(TESTDATA, 'images', c.base);
      const expected = join(dir, `${c.name}-expected.sif`);
      copyFileSync(original, expected);
      expect(sifkit(c.args(expected)).code).toBe(0);
      const want = readFileSync(expected);
      const orig = readFileSync(original);
      let points = 0;
      for (let n = 1; n < 200; n++) {
        let finished = false;
        for (const action of ['kill', 'enospc', 'eio']) {
          const img = join(dir, `${c.name}-${n}-${action}.sif`);
          copyFileSync(original, img);
          const r = sifkit(c.args(img), { SIFKIT_FAULT_INJECT: `${action}@${n}` });
          if (r.code === 0) {
            finished = true; // the n-th mutation never came: the edit completed
            expect(readFileSync(img)).toEqual(want);
            break;
          }
          if (action === 'kill') expect(r.signal).toBe('SIGKILL');
          else expect(r.stderr).toMatch(/^(Error|FATAL): .*(ENOSPC|EIO)/);
          expect(sifkit(['list', img]).code).toBe(0); // opening recovers
          expect(existsSync(`${img}.sifkit-journal`)).toBe(false);
          const got = readFileSync(img);
          const same = got.equals(orig) || got.equals(want);
          expect(same, `${action}@${n}: neither the original nor the result`).toBe(true);
          rmSync(img);
        }
        if (finished) break;
        points++;
      }
      expect(points).toBeGreaterThan(2);
    }, 120_000);
  }

  it('keyring writes: import killed at any point leaves the keyring as it was or complete', () => {
    const ring = join(dir, 'ring');
    const env = { SINGULARITY_SYPGPDIR: ring };
    expect(sifkit(['key', 'import', join(TESTDATA, 'keys/sample-public.asc')], env).code).toBe(0);
    const before = readFileSync(join(ring, 'pgp-public'));
    let after: Buffer | undefined;
    for (let n = 1; n < 50; n++) {
      const r = sifkit(['key', 'import', join(TESTDATA, 'keys/other-public.asc')], { ...env, SIFKIT_FAULT_INJECT: `kill@${n}` });
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
