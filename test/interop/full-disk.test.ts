// A real full disk: a small tmpfs (root only). Every editing command, run with the file system full or
// nearly full at several margins, either completes (the result equals the same edit on a roomy disk)
// or fails with one line in sifkit's words, leaving the image's bytes and length as they were and no
// journal behind. The reference's sign, on the same full disk, leaves a partial write.
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { CRASH_CASES } from '../helpers/crash.js';
import { TESTDATA } from '../helpers/paths.js';
import { oracle } from './tools.js';

const mnt = mkdtempSync(join(tmpdir(), 'sifkit-tmpfs-'));
const roomy = mkdtempSync(join(tmpdir(), 'sifkit-roomy-'));

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('the full-disk tests mount a tmpfs: run them as root (CI does)');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
});
afterAll(() => {
  try {
    execFileSync('umount', [mnt]);
  } finally {
    rmSync(mnt, { recursive: true, force: true });
    rmSync(roomy, { recursive: true, force: true });
  }
});

/** Fills the tmpfs, then frees `free` bytes. */
function fill(free: number): void {
  const filler = join(mnt, 'filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(4096, 1);
  let size = 0;
  try {
    for (;;) size += writeSync(fd, chunk);
  } catch {
    // ENOSPC: the disk is full
  }
  ftruncateSync(fd, Math.max(0, size - free));
  closeSync(fd);
}

const MARGINS = [0, 4096, 8192, 16384, 32768, 65536];

describe('editing commands on a full tmpfs', () => {
  for (const c of CRASH_CASES) {
    it(`${c.name}: completes or leaves the image as it was`, async () => {
      const src = join(TESTDATA, 'images', c.base);
      const expected = join(roomy, `${c.name.replace(/\W+/g, '_')}.sif`);
      copyFileSync(src, expected);
      expect((await runCli(c.args(expected))).code).toBe(0);
      const want = readFileSync(expected);
      const orig = readFileSync(src);
      let failed = 0;
      for (const free of MARGINS) {
        rmSync(join(mnt, 'filler'), { force: true });
        const img = join(mnt, 'image.sif');
        copyFileSync(src, img);
        fill(free);
        const r = await runCli(c.args(img));
        const got = readFileSync(img);
        if (r.code === 0) expect(got.equals(want), `free ${free}: completed but wrong`).toBe(true);
        else {
          failed++;
          expect(r.stderr.trim().split('\n'), `free ${free}`).toHaveLength(1);
          expect(r.stderr).toMatch(/no space left on device/);
          expect(r.stderr).not.toMatch(/ENOSPC|errno|\bat /);
          expect(got.equals(orig), `free ${free}: bytes changed (length ${got.length} vs ${orig.length})`).toBe(true);
          expect(statSync(img).size).toBe(orig.length);
        }
        expect(readdirSync(mnt).sort()).toEqual(['filler', 'image.sif']);
        rmSync(img);
      }
      expect(failed).toBeGreaterThan(0);
    });
  }

  it('new: a full disk leaves an existing file at the path untouched and no temporary file', async () => {
    rmSync(join(mnt, 'filler'), { force: true });
    const img = join(mnt, 'image.sif');
    copyFileSync(join(TESTDATA, 'images/sample.sif'), img);
    fill(0);
    const r = await runCli(['new', img]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: .*no space left on device\n$/);
    expect(readFileSync(img).equals(readFileSync(join(TESTDATA, 'images/sample.sif')))).toBe(true);
    expect(readdirSync(mnt).sort()).toEqual(['filler', 'image.sif']);
  });

  it('the reference, on the same full disk, leaves its partial write in the image', () => {
    rmSync(join(mnt, 'filler'), { force: true });
    const src = join(TESTDATA, 'images/multi.sif');
    const img = join(mnt, 'image.sif');
    copyFileSync(src, img);
    fill(0);
    const ref = oracle<{ ok: boolean; error?: string }>(['sign', '--key', join(TESTDATA, 'keys/sample-secret.asc'), img]);
    expect(ref.ok).toBe(false);
    expect(ref.error).toMatch(/no space left on device/);
    expect(existsSync(img)).toBe(true);
    expect(readFileSync(img).equals(readFileSync(src))).toBe(false);
  });
});
