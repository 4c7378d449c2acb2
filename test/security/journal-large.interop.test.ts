// A journal past 2 GiB, made for real: `del --zero` of a 2.5 GiB object killed late. Every later
// command used to abort on a native assertion (a whole-file read of the journal); now read-only
// commands refuse the image in bounded memory, and recovery streams the journal back.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CLI } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-bigjournal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function timed(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  const lines = r.stderr.trim().split('\n');
  return { code: r.status, signal: r.signal, stderr: lines.slice(0, -1).join('\n'), rssMiB: Number(lines[lines.length - 1]) / 1024 };
}

it('a 2+ GiB journal: list refuses with EDIT_PENDING in bounded memory; recover restores the image', () => {
  const blob = join(dir, 'blob');
  // Non-zero data, so zeroing really changes it and the restore is visible.
  execFileSync('sh', ['-c', `yes sifkit-large-journal | head -c ${2.5 * 2 ** 30} > ${blob}`]);
  const img = join(dir, 'big.sif');
  expect(spawnSync(process.execPath, [CLI, 'new', img]).status).toBe(0);
  expect(spawnSync(process.execPath, [CLI, 'add', img, blob, '--datatype', '7', '--groupid', '1']).status).toBe(0);
  rmSync(blob);
  const before = execFileSync('sha256sum', [img]).toString().split(' ')[0];
  // Each 1 MiB record is 3 journal writes, a sync and an image write: 2,200 records ≈ 2.15 GiB.
  const killed = timed(['del', '--zero', '1', img], { SIFKIT_FAULT_INJECT: `kill@${2200 * 5}` });
  expect(killed.stderr).toMatch(/terminated by signal 9/);
  const journal = statSync(`${img}.sifkit-journal`).size;
  expect(journal).toBeGreaterThan(2 ** 31);
  const list = timed(['list', img]);
  expect(list.code).toBe(1);
  expect(list.stderr).toMatch(/an interrupted edit is pending/);
  expect(list.rssMiB).toBeLessThan(200);
  const rec = timed(['recover', img]);
  expect(rec.code, rec.stderr).toBe(0);
  expect(rec.stderr).toMatch(/Rolled back/);
  expect(rec.rssMiB).toBeLessThan(200);
  expect(execFileSync('sha256sum', [img]).toString().split(' ')[0]).toBe(before);
}, 600_000);
