/**
 * `extract` against `unsquashfs -d` (as recorded in the fixtures' goldens): the same tree — names,
 * types, modes, owners (as root), mtimes, sizes, contents, link targets, hard links, device numbers
 * (as root) and xattrs — and never a write outside the target directory.
 */
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractFs } from '../../src/container/extract.js';
import { openImage } from '../../src/node.js';
import { openRootFs } from '../../src/squashfs/rootfs.js';
import { TESTDATA } from '../helpers/paths.js';
import { describeTree, readGolden, type Described } from '../helpers/tree.js';
import { runCli } from '../helpers/cli.js';

const xattr = createRequire(import.meta.url)('@napi-rs/xattr') as Parameters<typeof describeTree>[1];
const root = process.geteuid?.() === 0;
const work = mkdtempSync(join(tmpdir(), 'sifkit-extract-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const dir = join(TESTDATA, 'squashfs');

/** What unsquashfs as root made, adjusted to what this user may make. */
function expected(golden: Described[]): Described[] {
  if (root) return golden;
  return golden
    .filter((d) => d.type !== 'block' && d.type !== 'char')
    .map((d) => {
      const x = { ...d, uid: process.geteuid!(), gid: process.getegid!() };
      if (x.xattrs) {
        const kept = Object.entries(x.xattrs).filter(([k]) => k.startsWith('user.'));
        if (kept.length) x.xattrs = Object.fromEntries(kept);
        else delete x.xattrs;
      }
      return x;
    });
}

describe('extract', () => {
  for (const name of ['gzip', 'zstd', 'lz4', 'ng-tar2sqfs', 'singularity']) {
    it(`${name}: the tree unsquashfs -d makes`, async () => {
      const img = await openImage(join(dir, 'images', `${name}.sif`));
      const out = join(work, name);
      const warnings: string[] = [];
      try {
        await extractFs(await openRootFs(img), out, { onWarning: (m) => warnings.push(m) });
      } finally {
        await img.close();
      }
      const golden = readGolden(readFileSync(join(dir, 'golden', `${name}.files`), 'utf8'));
      expect(describeTree(out, xattr)).toEqual(expected(golden));
      if (!root && name !== 'singularity') expect(warnings.some((w) => w.includes('device not created'))).toBe(true);
      // sparse files come out sparse: fewer blocks than bytes
      if (name === 'gzip') {
        const st = lstatSync(join(out, 'sparse/all-zero.bin'));
        expect(st.size).toBe(600000);
        expect(st.blocks * 512).toBeLessThan(st.size);
      }
    });
  }

  it('extracts a subtree at its own path, and again over itself', async () => {
    const out = join(work, 'sub');
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['extract', join(dir, 'images/gzip.sif'), '/links', '-C', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^INFO: +Extracted 5 entries/m);
    }
    expect(readFileSync(join(out, 'links/sub/c.txt'), 'utf8')).toBe('shared by three names\n');
    expect(lstatSync(join(out, 'links/a.txt')).ino).toBe(lstatSync(join(out, 'links/sub/c.txt')).ino);
    expect(existsSync(join(out, 'data'))).toBe(false);
  });
});
