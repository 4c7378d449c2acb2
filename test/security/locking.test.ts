// Locks across real processes: an edit holds an exclusive lock for its whole duration, readers a
// shared one. A reader started at any point of a large add, del --compact or sign sees the table
// before or after the edit, never a half-written one, and never changes the outcome; two writers never
// interleave; a killed writer's lock dies with it.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSifError } from '../../src/errors.js';
import { openImage, recoverImage } from '../../src/node.js';
import { CLI, TESTDATA } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T = ['--time', '2026-01-02T03:04:05Z'];
const big = join(dir, 'big.bin');
writeFileSync(big, Buffer.alloc(48 << 20, 7));

function run(args: string[]): { code: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout };
}
function start(args: string[]): Promise<number | null> {
  const p = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
  return new Promise((res) => p.on('exit', (code) => res(code)));
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function delays(seed: number, count: number, max: number): number[] {
  let x = seed;
  return Array.from({ length: count }, () => ((x = (x * 1103515245 + 12345) % 2 ** 31) % max));
}

async function readersDuring(source: string, edit: (img: string) => string[], seed: number): Promise<void> {
  const img = join(dir, `${seed}.sif`);
  const expected = join(dir, `${seed}-expected.sif`);
  copyFileSync(source, img);
  copyFileSync(source, expected);
  const before = run(['list', img]).stdout;
  expect(run(edit(expected)).code).toBe(0);
  const after = run(['list', expected]).stdout;
  expect(after).not.toBe(before);
  const t0 = Date.now();
  const writer = start(edit(img));
  const seen = await Promise.all(
    delays(seed, 6, 400).map(async (ms) => {
      await sleep(ms);
      return new Promise<string>((res) => {
        const p = spawn(process.execPath, [CLI, 'list', img], { stdio: ['ignore', 'pipe', 'ignore'] });
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.on('exit', () => res(out));
      });
    }),
  );
  expect(await writer).toBe(0);
  for (const s of seen) expect([before, after]).toContain(s);
  expect(readFileSync(img).equals(readFileSync(expected)), `seed ${seed}, ${Date.now() - t0} ms`).toBe(true);
}

describe('readers during an edit', () => {
  it('a large add', () => readersDuring(join(TESTDATA, 'images/multi.sif'), (img) => ['add', img, big, '--datatype', '7', '--groupid', '3', ...T], 1), 60_000);
  it('del --compact of a large object', async () => {
    const withBig = join(dir, 'with-big.sif');
    copyFileSync(join(TESTDATA, 'images/multi.sif'), withBig);
    expect(run(['add', withBig, big, '--datatype', '7', '--groupid', '3', ...T]).code).toBe(0);
    await readersDuring(withBig, (img) => ['del', '--zero', '--compact', ...T, '11', img], 2);
  }, 60_000);
  it('sign', () => readersDuring(join(TESTDATA, 'images/multi.sif'), (img) => ['sign', '--key', join(TESTDATA, 'keys/sample-secret.asc'), '--deterministic', ...T, img], 3), 60_000);
});

describe('writers', () => {
  it('two concurrent adds do not interleave: the result is one order or the other', async () => {
    const inputs = [join(TESTDATA, 'input/data.bin'), big];
    const sequential = (order: number[]) => {
      const p = join(dir, `seq-${order.join('')}.sif`);
      copyFileSync(join(TESTDATA, 'images/sample.sif'), p);
      for (const i of order) expect(run(['add', p, inputs[i]!, '--datatype', '7', ...T]).code).toBe(0);
      return readFileSync(p);
    };
    const img = join(dir, 'two-writers.sif');
    copyFileSync(join(TESTDATA, 'images/sample.sif'), img);
    const codes = await Promise.all(inputs.map((f) => start(['add', img, f, '--datatype', '7', ...T])));
    expect(codes).toEqual([0, 0]);
    const got = readFileSync(img);
    expect(got.equals(sequential([0, 1])) || got.equals(sequential([1, 0]))).toBe(true);
  }, 60_000);

  it('a second writer fails with IMAGE_BUSY when it will not wait; a reader waits for the writer', async () => {
    const img = join(dir, 'busy.sif');
    copyFileSync(join(TESTDATA, 'images/multi.sif'), img);
    const w = await openImage(img, { writable: true });
    try {
      await expect(openImage(img, { writable: true, lockTimeoutMs: 0 })).rejects.toSatisfy((e) => isSifError(e, 'IMAGE_BUSY'));
      await expect(openImage(img, { lockTimeoutMs: 50 })).rejects.toSatisfy((e) => isSifError(e, 'IMAGE_BUSY'));
    } finally {
      await w.close();
    }
    const r1 = await openImage(img, { lockTimeoutMs: 0 });
    const r2 = await openImage(img, { lockTimeoutMs: 0 }); // readers share
    await expect(openImage(img, { writable: true, lockTimeoutMs: 0 })).rejects.toSatisfy((e) => isSifError(e, 'IMAGE_BUSY'));
    await r1.close();
    await r2.close();
  });

  it("a killed writer's lock dies with it", async () => {
    const img = join(dir, 'killed.sif');
    copyFileSync(join(TESTDATA, 'images/multi.sif'), img);
    const r = spawnSync(process.execPath, [CLI, 'add', img, big, '--datatype', '7'], { env: { ...process.env, SIFKIT_FAULT_INJECT: 'kill@9' } });
    expect(r.signal).toBe('SIGKILL');
    expect(await recoverImage(img, { lockTimeoutMs: 0 })).toBe('rolled-back');
    expect(readFileSync(img).equals(readFileSync(join(TESTDATA, 'images/multi.sif')))).toBe(true);
  });
});
