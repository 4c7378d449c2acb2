/**
 * Security claim: `extract` never writes outside its target directory. Names come from checked
 * listings (hostile names are refused before anything is written), parents must be real directories
 * (a symlink already in the target is never written through), entries are created without following
 * links (an image's own symlinks are created as they are, absolute or `..`, and never followed), and
 * an entry that replaces an earlier one of another type removes it first.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractFs } from '../../src/container/extract.js';
import { BytesStore } from '../../src/io/source.js';
import { openImage } from '../../src/node.js';
import { SquashFs } from '../../src/squashfs/fs.js';
import { openRootFs } from '../../src/squashfs/rootfs.js';
import { TESTDATA } from '../helpers/paths.js';

const work = mkdtempSync(join(tmpdir(), 'sifkit-contain-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const plain = new Uint8Array(readFileSync(join(TESTDATA, 'squashfs/hostile/plain.sqfs')));

/** Offset of a listing entry's name by type and name (the tables are uncompressed). */
function nameAt(b: Uint8Array, type: number, name: string): number {
  const pat = [type, 0, name.length - 1, 0, ...Buffer.from(name)];
  outer: for (let i = 0; i + pat.length <= b.length; i++) {
    for (let k = 0; k < pat.length; k++) if (b[i + k] !== pat[k]) continue outer;
    return i + 4;
  }
  throw new Error(`entry ${name} not found`);
}

describe('extract stays inside its directory', () => {
  it('does not write through a symlink already in the target directory', async () => {
    const out = join(work, 'planted');
    const outside = join(work, 'outside');
    mkdirSync(outside);
    mkdirSync(out);
    symlinkSync(outside, join(out, 'links')); // the image has a directory /links
    const img = await openImage(join(TESTDATA, 'squashfs/images/gzip.sif'));
    try {
      await expect(extractFs(await openRootFs(img), out, { path: '/links/sub' })).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
      // the whole tree: the planted link is replaced by a real directory, nothing lands outside
      await extractFs(await openRootFs(img), out);
    } finally {
      await img.close();
    }
    expect(readdirSync(outside)).toEqual([]);
    expect(lstatSync(join(out, 'links')).isDirectory()).toBe(true);
  });

  it("creates the image's symlinks as they are and never follows them", async () => {
    const out = join(work, 'links');
    const img = await openImage(join(TESTDATA, 'squashfs/images/gzip.sif'));
    try {
      await extractFs(await openRootFs(img), out, { path: '/sym' });
    } finally {
      await img.close();
    }
    expect(readlinkSync(join(out, 'sym/up-and-out'))).toBe('../../../../etc/passwd');
    expect(readlinkSync(join(out, 'sym/abs'))).toBe('/data/text-4096.txt');
    expect(existsSync(join(out, 'data'))).toBe(false);
  });

  it('refuses an image with a hostile name before writing it', async () => {
    const b = plain.slice();
    b.set(Buffer.from('..'), nameAt(b, 2, 'ab'));
    const out = join(work, 'dotdot');
    await expect(extractFs(await SquashFs.open(new BytesStore(b)), out)).rejects.toMatchObject({ code: 'SQUASHFS_INVALID' });
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('an entry listed twice with another type replaces the first, inside the directory', async () => {
    const b = plain.slice();
    b.set(Buffer.from('ab'), nameAt(b, 1, 'cy')); // the directory cy is now a second "ab", after the file
    const out = join(work, 'twice');
    await extractFs(await SquashFs.open(new BytesStore(b)), out);
    expect(lstatSync(join(out, 'ab')).isDirectory()).toBe(true);
    expect(lstatSync(join(out, 'ab/cz')).isDirectory()).toBe(true);
  });
});
