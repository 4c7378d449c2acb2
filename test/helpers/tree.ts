/**
 * Describes a directory tree on disk the way testdata/squashfs/describe.py does (one object per
 * path, sorted by bytes), so an extraction by sifkit can be compared with unsquashfs's.
 */
import { createHash } from 'node:crypto';
import { lstatSync, openSync, readSync, closeSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

import type { Described } from './golden.js';

export { readGolden, type Described } from './golden.js';

type XattrLib = { listAttributesSync(p: string): string[]; getAttributeSync(p: string, n: string): Uint8Array | null };

const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Describes the tree at `top`. */
export function describeTree(top: string, xattr: XattrLib): Described[] {
  const out: Described[] = [];
  const first = new Map<string, string>();
  const walk = (rel: string): void => {
    const p = rel ? join(top, rel) : top;
    const st = lstatSync(p, { bigint: true });
    const m = Number(st.mode);
    const kinds: Record<number, string> = { 0o040000: 'dir', 0o100000: 'file', 0o120000: 'symlink', 0o060000: 'block', 0o020000: 'char', 0o010000: 'fifo', 0o140000: 'socket' };
    const d: Described = { path: `/${rel}`, type: kinds[m & 0o170000]!, mode: m & 0o7777, uid: Number(st.uid), gid: Number(st.gid), mtime: Number(st.mtimeMs / 1000n) };
    if (d.type === 'file') {
      d.size = Number(st.size);
      const h = createHash('sha256');
      const fd = openSync(p, 'r');
      const buf = Buffer.alloc(1 << 20);
      for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
      closeSync(fd);
      d.sha256 = h.digest('hex');
      if (st.nlink > 1n) {
        const key = `${st.dev}:${st.ino}`;
        const f = first.get(key);
        if (f) d.hardlink = f;
        else first.set(key, d.path);
      }
    }
    if (d.type === 'symlink') d.target = readlinkSync(p);
    if (d.type === 'block' || d.type === 'char') {
      const r = st.rdev;
      d.rdev = [Number(((r >> 8n) & 0xfffn) | ((r >> 32n) & ~0xfffn)), Number((r & 0xffn) | ((r >> 12n) & ~0xffn))];
    }
    if (d.type !== 'symlink') {
      const names = xattr.listAttributesSync(p).sort();
      if (names.length) d.xattrs = Object.fromEntries(names.map((n) => [n, Buffer.from(xattr.getAttributeSync(p, n) ?? new Uint8Array()).toString('hex')]));
    }
    out.push(d);
    if (d.type === 'dir') for (const name of readdirSync(p).sort(byBytes)) walk(rel ? `${rel}/${name}` : name);
  };
  walk('');
  return out;
}
