/**
 * Hostile SquashFS images: committed images made by mksquashfs (testdata/squashfs/make.sh), damaged
 * byte by byte here. Every read ends with a typed SifError naming the structure — never a crash, a
 * hang, or an allocation the image chose — and random damage (fast-check) does the same.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSifError } from '../../src/errors.js';
import { BytesStore } from '../../src/io/source.js';
import { SquashFs } from '../../src/squashfs/fs.js';
import { parseSuperblock } from '../../src/squashfs/superblock.js';
import { TESTDATA } from '../helpers/paths.js';

const dir = join(TESTDATA, 'squashfs/hostile');
const plain = new Uint8Array(readFileSync(join(dir, 'plain.sqfs')));

const open = (b: Uint8Array): Promise<SquashFs> => SquashFs.open(new BytesStore(b));

/** Reads everything: every entry, every file's bytes, every xattr and link. */
async function readAll(fs: SquashFs): Promise<void> {
  for await (const e of fs.walk()) {
    if (e.stat.type === 'file') for await (const _ of fs.nodeChunks(e.node));
    await fs.nodeXattrs(e.node);
  }
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (!isSifError(e)) throw e;
    return `${e.code}: ${e.message}`;
  }
  return 'ok';
}

/** Index of a directory entry's 8-byte head by its type and name (uncompressed tables). */
function entryAt(b: Uint8Array, type: number, name: string): number {
  const pat = [type, 0, name.length - 1, 0, ...Buffer.from(name)];
  outer: for (let i = 0; i + pat.length <= b.length; i++) {
    for (let k = 0; k < pat.length; k++) if (b[i + k] !== pat[k]) continue outer;
    return i - 4;
  }
  throw new Error(`entry ${name} not found`);
}
const u16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
const put16 = (b: Uint8Array, at: number, v: number): void => {
  b[at] = v & 0xff;
  b[at + 1] = v >> 8;
};
const put32 = (b: Uint8Array, at: number, v: number): void => new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0, true);
const sb = parseSuperblock(plain, plain.length);
/** Position of the inode an entry points at (the inode table is one uncompressed block). */
const inodePos = (b: Uint8Array, entry: number): number => sb.inodeTableStart + 2 + u16(b, entry);

describe('hostile squashfs', () => {
  it('the undamaged image reads', async () => {
    expect(await code(readAll(await open(plain)))).toBe('ok');
  });

  it.each([
    ['..', /unsafe name "\.\."/],
    ['a/', /unsafe name "a\/"/],
    ['a\0', /unsafe name "a\\u0000"/],
  ])('a name %j in a listing', async (name, msg) => {
    const b = plain.slice();
    b.set(Buffer.from(name, 'latin1'), entryAt(b, 2, 'ab') + 8);
    const r = await code(readAll(await open(b)));
    expect(r).toMatch(/^SQUASHFS_INVALID: /);
    expect(r).toMatch(msg);
  });

  it('a directory that contains itself', async () => {
    const b = plain.slice();
    const cy = entryAt(b, 1, 'cy');
    const cz = entryAt(b, 1, 'cz');
    put16(b, cz, u16(b, cy)); // /cy/cz is /cy
    const fs = await open(b);
    expect(await code(readAll(fs))).toMatch(/^SQUASHFS_INVALID: \/cy\/cz: directory loop/);
    // resolving through the loop is bounded by the path
    expect((await fs.stat('/cy/cz/cz/cz/cz/cz')).type).toBe('dir');
  });

  it('the root listed inside itself', async () => {
    const b = plain.slice();
    const cy = entryAt(b, 1, 'cy');
    const cz = entryAt(b, 1, 'cz');
    // cz points at the root inode (the last one written)
    put16(b, cz, Number(sb.rootInode & 0xffffn));
    void cy;
    expect(await code(readAll(await open(b)))).toMatch(/^SQUASHFS_INVALID: .*directory loop/);
  });

  it('an inode reference out of range', async () => {
    const b = plain.slice();
    put16(b, entryAt(b, 2, 'file'), 0xfff0);
    expect(await code(readAll(await open(b)))).toMatch(/^SQUASHFS_INVALID: (inode of \/file|\/file)/);
  });

  it('a symlink loop', async () => {
    const fs = await open(plain);
    expect(await code(fs.readFile('/loop1'))).toMatch(/^SYMLINK_LOOP: \/loop\d: too many levels of symbolic links/);
  });

  it('a fragment index past the fragment table', async () => {
    const b = plain.slice();
    put32(b, inodePos(b, entryAt(b, 2, 'file')) + 20, 999);
    expect(await code((await open(b)).readFile('/file'))).toMatch(/^SQUASHFS_INVALID: fragment index 999 is past the table's 1 entries/);
  });

  it('a file size far past the data', async () => {
    const b = plain.slice();
    const ino = inodePos(b, entryAt(b, 2, 'file'));
    put32(b, ino + 20, 0xffffffff); // no fragment: every byte in blocks
    put32(b, ino + 28, 0xffffffff);
    const t = Date.now();
    expect(await code(readAll(await open(b)))).toMatch(/^SQUASHFS_INVALID: /);
    expect(Date.now() - t).toBeLessThan(5000);
  });

  it('a metadata block longer than 8 KiB', async () => {
    const b = plain.slice();
    put16(b, sb.inodeTableStart, 0x8000 | 0x3000);
    expect(await code(readAll(await open(b)))).toMatch(/^SQUASHFS_INVALID: .*metadata block at \d+ has size 12288/);
  });

  it('a metadata block that decompresses past 8 KiB', async () => {
    const b = plain.slice();
    // the inode table's first block becomes a gzip stream of 64 KiB of zeros (a few dozen bytes)
    const bomb = deflateSync(new Uint8Array(64 << 10));
    put16(b, sb.inodeTableStart, bomb.length); // compressed: no 0x8000 bit
    b.set(bomb, sb.inodeTableStart + 2);
    expect(await code(readAll(await open(b)))).toMatch(/^SQUASHFS_INVALID: gzip block decompresses past its 8192-byte limit/);
  });

  it.each([
    [0, 'magic', 0x12345678, /bad magic/],
    [12, 'block size', 0x80000000, /block size 2147483648 is not a power of two from 4 KiB to 1 MiB/],
    [40, 'bytes_used', 0x7fffffff, /bytes_used 2147483647 lies past the partition/],
    [64, 'inode table', 0x7fff0000, /lies past the partition/],
  ])('superblock: %s (%s)', async (at, _what, v, msg) => {
    const b = plain.slice();
    put32(b, at, v);
    expect(await code(open(b))).toMatch(msg);
  });

  it('an unknown compressor', async () => {
    const b = plain.slice();
    put16(b, 20, 9);
    expect(await code(open(b))).toMatch(/^UNSUPPORTED_COMPRESSION: squashfs compression id 9/);
  });

  it('truncated images', async () => {
    for (const n of [0, 10, 95, 96, 200, sb.bytesUsed - 50, sb.bytesUsed - 1]) {
      const r = await code(open(plain.subarray(0, n)).then(readAll));
      expect(r, `cut at ${n}`).toMatch(/^SQUASHFS_INVALID: /);
    }
  });

  it.each(['gzip', 'lzma', 'lzo', 'xz', 'lz4', 'zstd'])('%s: a data block that decompresses past the block size', async (c) => {
    const b = new Uint8Array(readFileSync(join(dir, `bomb-${c}.sqfs`)));
    expect(await code(readAll(await open(b)))).toBe('ok');
    // block size 4 KiB and a 4 KiB file: its one block still holds 1 MiB
    const bsb = parseSuperblock(b, b.length);
    put32(b, bsb.inodeTableStart + 2 + u16(b, entryAt(b, 2, 'a')) + 28, 4096);
    put32(b, 12, 4096);
    put16(b, 22, 12);
    const r = await code(readAll(await open(b)));
    expect(r).toMatch(/^SQUASHFS_INVALID: (.* block decompresses past its 4096-byte limit|.* block does not decompress: .*more than 4096 bytes|\/a block 0: stored size \d+ exceeds the block size 4096)/);
  });

  it('random damage ends in a SifError or a complete read, quickly', async () => {
    const bomb = new Uint8Array(readFileSync(join(dir, 'bomb-zstd.sqfs')));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(plain, bomb),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        async (base, edits) => {
          const b = base.slice();
          for (const [at, v] of edits) b[at % b.length] = v;
          const t = Date.now();
          const r = await code(open(b).then(readAll));
          expect(r === 'ok' || /^[A-Z_]+: /.test(r)).toBe(true);
          expect(Date.now() - t).toBeLessThan(3000);
        },
      ),
      { numRuns: 400 },
    );
  });
});
