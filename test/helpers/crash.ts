// Crash safety of every editing command, shared by the quick unit run and the full interop run:
// fault injection in the I/O layer (SIFKIT_FAULT_INJECT) kills the process (SIGKILL), fails with
// ENOSPC / EIO, or writes part of a buffer and then fails (short), at a chosen write, truncate or
// sync. Afterwards the image must be byte-identical, length included, to the original or to the
// complete result: at once for failures (rolled back in-process, no journal left), and after an
// explicit recovery for kills (read-only opens refuse the image until then).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { isSifError } from '../../src/errors.js';
import { openImage, recoverImage } from '../../src/node.js';
import { CLI, TESTDATA } from './paths.js';

/** One editing command under test. */
export interface CrashCase {
  name: string;
  base: string;
  args: (img: string) => string[];
}

const T = ['--time', '2026-01-02T03:04:05Z'];

/** Every editing command. */
export const CRASH_CASES: CrashCase[] = [
  { name: 'sign', base: 'multi.sif', args: (img) => ['sign', '--key', join(TESTDATA, 'keys/sample-secret.asc'), '--deterministic', ...T, img] },
  { name: 'add', base: 'sample.sif', args: (img) => ['add', img, join(TESTDATA, 'input/data.bin'), '--datatype', '7', '--groupid', '2', ...T] },
  { name: 'del --zero', base: 'multi.sif', args: (img) => ['del', '--zero', ...T, '6', img] },
  { name: 'del --compact', base: 'multi.sif', args: (img) => ['del', '--compact', '--zero', ...T, '10', img] },
  { name: 'setprim', base: 'multi.sif', args: (img) => ['setprim', ...T, '10', img] },
];

/** A fault. */
export type Fault = 'kill' | 'enospc' | 'eio' | 'short';

/** Runs the CLI in a child process. */
export function sifkitProcess(args: string[], env: Record<string, string> = {}): { code: number | null; signal: NodeJS.Signals | null; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: r.status, signal: r.signal, stderr: r.stderr };
}

/** The result of the command without faults, and the original bytes. */
export function expectedResult(dir: string, c: CrashCase): { orig: Buffer; want: Buffer } {
  const original = join(TESTDATA, 'images', c.base);
  const expected = join(dir, `${c.name}-expected.sif`);
  copyFileSync(original, expected);
  expect(sifkitProcess(c.args(expected)).code).toBe(0);
  return { orig: readFileSync(original), want: readFileSync(expected) };
}

/**
 * Runs one command with one fault at mutation `n` and checks the outcome.
 *
 * @returns true when the command finished (the n-th mutation never came)
 */
export async function crashAt(dir: string, c: CrashCase, fault: Fault, n: number, orig: Buffer, want: Buffer): Promise<boolean> {
  const img = join(dir, `${c.name.replace(/\W+/g, '_')}-${n}-${fault}.sif`);
  copyFileSync(join(TESTDATA, 'images', c.base), img);
  const r = sifkitProcess(c.args(img), { SIFKIT_FAULT_INJECT: `${fault}@${n}` });
  const journal = `${img}.sifkit-journal`;
  if (r.code === 0) {
    expect(readFileSync(img).equals(want), `${fault}@${n}: completed, but not the expected result`).toBe(true);
    expect(existsSync(journal)).toBe(false);
    rmSync(img);
    return true;
  }
  if (fault === 'kill') {
    expect(r.signal).toBe('SIGKILL');
    if (existsSync(journal)) {
      // Read-only opens refuse a pending edit (or, for a journal whose header never became durable,
      // read the untouched image); recovery then finishes or undoes it.
      const ro = await openImage(img).then(
        async (i) => (await i.close(), 'opened'),
        (e: unknown) => (isSifError(e, 'EDIT_PENDING') ? 'pending' : e),
      );
      expect(['opened', 'pending']).toContain(ro);
      await recoverImage(img);
    }
  } else {
    expect(r.stderr).toMatch(/^(Error|FATAL): .*(no space left on device|input\/output error)/);
    expect(r.stderr).not.toMatch(/ENOSPC|EIO|\n\s+at /);
  }
  expect(existsSync(journal), `${fault}@${n}: journal left`).toBe(false);
  const got = readFileSync(img);
  expect(got.equals(orig) || got.equals(want), `${fault}@${n}: neither the original nor the result (length ${got.length})`).toBe(true);
  rmSync(img);
  return false;
}
