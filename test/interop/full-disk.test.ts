// A real full disk: a small tmpfs (root only). sifkit's sign fails cleanly and leaves the image byte
// for byte; the reference, on the same full disk, leaves the partly written signature appended.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';
import { oracle } from './tools.js';

const root = process.getuid?.() === 0;
const mnt = mkdtempSync(join(tmpdir(), 'sifkit-tmpfs-'));
let mounted = false;

beforeAll(() => {
  if (!root) return;
  try {
    // multi.sif is 57,032 bytes: 14 pages, 312 bytes short of the last page's end.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=56k', 'tmpfs', mnt]);
    mounted = true;
  } catch {
    mounted = false;
  }
});
afterAll(() => {
  if (mounted) execFileSync('umount', [mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

describe.skipIf(!root)('sign on a full tmpfs', () => {
  it('sifkit: FATAL, image unchanged, no journal left; the reference: image changed', async () => {
    if (!mounted) return expect.fail('could not mount a tmpfs');
    const src = join(TESTDATA, 'images/multi.sif');
    const img = join(mnt, 'multi.sif');
    copyFileSync(src, img);
    const r = await runCli(['sign', '--key', join(TESTDATA, 'keys/sample-secret.asc'), img]);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/ENOSPC|no space left/);
    expect(readFileSync(img)).toEqual(readFileSync(src));
    expect(execFileSync('ls', ['-A', mnt]).toString().trim()).toBe('multi.sif');
    const ref = oracle<{ ok: boolean; error?: string }>(['sign', '--key', join(TESTDATA, 'keys/sample-secret.asc'), img]);
    expect(ref.ok).toBe(false);
    expect(ref.error).toMatch(/no space left on device/);
    expect(readFileSync(img).equals(readFileSync(src))).toBe(false); // the reference leaves a partial write
  });
});
