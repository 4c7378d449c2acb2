// Issue point 10: a closed pipe ends the command quietly — no EPIPE stack on stderr — and the exit
// status is the one the command would have had.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, TESTDATA } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-pipes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const img = join(dir, 'big.sif');
const key = join(TESTDATA, 'keys/sample-public.asc');
const signed = join(TESTDATA, 'images/multi-signed.sif');

beforeAll(() => {
  copyFileSync(join(TESTDATA, 'images/sample.sif'), img);
  writeFileSync(join(dir, 'blob'), Buffer.alloc(32 << 20, 0x5a));
  expect(spawnSync(process.execPath, [CLI, 'add', img, join(dir, 'blob'), '--datatype', '7']).status).toBe(0);
});

/** Runs `sifkit ARGS | head ...` and reports sifkit's own status and stderr. */
function piped(args: string[], head: string): { status: number; stderr: string; out: string } {
  const cmd = `"${process.execPath}" "${CLI}" ${args.map((a) => `"${a}"`).join(' ')} 2>"${dir}/err" | ${head}; echo "status=\${PIPESTATUS[0]}"; cat "${dir}/err" >&2`;
  const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8' });
  const m = /status=(\d+)\n$/.exec(r.stdout)!;
  return { status: Number(m[1]), stderr: r.stderr, out: r.stdout.slice(0, m.index) };
}

describe('closed pipes', () => {
  it('dump | head -c 10', () => {
    const r = piped(['dump', '4', img], 'head -c 10 | wc -c');
    expect(r.out.trim()).toBe('10');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
  it('verify | head -1 (verified: 0)', () => {
    const r = piped(['verify', '--key', key, signed], 'head -1');
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/EPIPE|at /);
  });
  it('verify --json | head -3 (verified: 0)', () => {
    const r = piped(['verify', '--json', '--key', key, signed], 'head -3');
    expect(r.out.split('\n')[0]).toBe('{');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
  it('verify with the wrong key | head -1 keeps its failure status (255)', () => {
    const r = piped(['verify', '--key', join(TESTDATA, 'keys/other-public.asc'), signed], 'head -1');
    expect(r.status).toBe(255);
    expect(r.stderr).toMatch(/^FATAL: +Failed to verify container: .*unknown entity/);
    expect(r.stderr).not.toMatch(/EPIPE/);
  });
});
