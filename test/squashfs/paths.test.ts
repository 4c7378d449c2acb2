/**
 * Path resolution inside the image: relative, absolute and chained symlinks resolve within the image
 * (an absolute target starts at the image's root, `..` stops there), lookups through the directory
 * index find every name of a 300-entry directory, and errors name the path.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SifImage } from '../../src/image/image.js';
import { openImage } from '../../src/node.js';
import type { SquashFs } from '../../src/squashfs/fs.js';
import { openRootFs } from '../../src/squashfs/rootfs.js';
import { TESTDATA } from '../helpers/paths.js';

let img: SifImage;
let fs: SquashFs;
beforeAll(async () => {
  img = await openImage(join(TESTDATA, 'squashfs/images/gzip.sif'));
  fs = await openRootFs(img);
});
afterAll(() => img.close());

const text = async (p: string): Promise<string> => new TextDecoder().decode(await fs.readFile(p));

describe('paths', () => {
  it('follows relative, absolute and chained symlinks inside the image', async () => {
    expect(await text('/sym/rel')).toBe(await text('/data/text-1.txt'));
    expect(await text('/sym/abs')).toBe(await text('/data/text-4096.txt'));
    expect(await text('/sym/chain1')).toBe(await text('/data/text-1.txt'));
    expect(await text('/sym/to-dir/sub/c.txt')).toBe('shared by three names\n');
    expect((await fs.stat('/sym/dot')).type).toBe('dir');
    expect((await fs.lstat('/sym/rel')).type).toBe('symlink');
    expect(await fs.readlink('/sym/up-and-out')).toBe('../../../../etc/passwd');
  });
  it('never leaves the image: .. stops at its root', async () => {
    await expect(fs.stat('/sym/up-and-out')).rejects.toMatchObject({ code: 'PATH_NOT_FOUND', message: '/etc: no such file or directory in the image' });
    expect((await fs.stat('/../../data/../data')).type).toBe('dir');
  });
  it('errors name the path', async () => {
    await expect(fs.stat('/sym/dangling')).rejects.toMatchObject({ code: 'PATH_NOT_FOUND', message: '/sym/does: no such file or directory in the image' });
    await expect(fs.readFile('/data')).rejects.toMatchObject({ code: 'IS_A_DIRECTORY' });
    await expect(fs.readdir('/data/text-1.txt')).rejects.toMatchObject({ code: 'NOT_A_DIRECTORY' });
    await expect(fs.stat('/data/text-1.txt/x')).rejects.toMatchObject({ code: 'NOT_A_DIRECTORY' });
  });
  it('finds every entry of a 300-entry directory through its index', async () => {
    const all = await fs.readdir('/big');
    expect(all).toHaveLength(300);
    for (const e of all) expect((await fs.stat(`/big/${e.name}`)).inode).toBe(e.stat.inode);
    for (const missing of ['entry-', 'entry-0299-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', 'a', 'zzz']) {
      await expect(fs.stat(`/big/${missing}`)).rejects.toMatchObject({ code: 'PATH_NOT_FOUND' });
    }
  });
  it('reads xattrs of a path, out-of-line values included', async () => {
    const x = await fs.xattrs('/data/text-8192.txt');
    expect(x.map((a) => a.name).sort()).toEqual(['user.other', 'user.shared']);
    expect(x.find((a) => a.name === 'user.shared')!.value).toEqual(new Uint8Array(300).fill(0x76));
  });
});
