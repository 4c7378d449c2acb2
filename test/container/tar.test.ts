/**
 * `export`: a POSIX pax tar of the root file system. Parsed here header by header: checksums, names
 * (pax `path` records for long and non-ASCII ones), sizes and contents equal the image's, hard links
 * as links, sockets left out with a warning.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportTar } from '../../src/container/tar.js';
import { openImage } from '../../src/node.js';
import { openRootFs } from '../../src/squashfs/rootfs.js';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

interface TarEntry {
  name: string;
  type: string;
  size: number;
  mode: number;
  linkname: string;
  sha256?: string;
  pax: Record<string, string>;
}

function parseTar(b: Uint8Array): TarEntry[] {
  const out: TarEntry[] = [];
  const str = (at: number, n: number): string => Buffer.from(b.subarray(at, at + n)).toString('utf8').replace(/\0.*$/s, '');
  let pax: Record<string, string> = {};
  for (let at = 0; at + 512 <= b.length; ) {
    const h = b.subarray(at, at + 512);
    if (h.every((x) => x === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    expect(parseInt(str(at + 148, 8).trim(), 8)).toBe(sum);
    const size = parseInt(str(at + 124, 12), 8);
    const type = str(at + 156, 1);
    const body = b.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      pax = {};
      let text = Buffer.from(body).toString('latin1');
      while (text.length) {
        const sp = text.indexOf(' ');
        const len = Number(text.slice(0, sp));
        const rec = text.slice(sp + 1, len - 1);
        const eq = rec.indexOf('=');
        pax[rec.slice(0, eq)] = rec.slice(eq + 1);
        text = text.slice(len);
      }
      continue;
    }
    const prefix = str(at - 512 - Math.ceil(size / 512) * 512 + 345, 155);
    let name = prefix ? `${prefix}/${str(at - 512 - Math.ceil(size / 512) * 512, 100)}` : str(at - 512 - Math.ceil(size / 512) * 512, 100);
    if (pax.path) name = Buffer.from(pax.path, 'latin1').toString('utf8');
    const e: TarEntry = { name, type, size, mode: parseInt(str(at - 512 - Math.ceil(size / 512) * 512 + 100, 8), 8), linkname: pax.linkpath ?? str(at - 512 - Math.ceil(size / 512) * 512 + 157, 100), pax };
    if (type === '0') e.sha256 = createHash('sha256').update(body).digest('hex');
    out.push(e);
    pax = {};
  }
  return out;
}

describe('export', () => {
  it('tars every entry with its bytes, links and xattrs', async () => {
    const img = await openImage(join(TESTDATA, 'squashfs/images/gzip.sif'));
    try {
      const fs = await openRootFs(img);
      const parts: Uint8Array[] = [];
      const warnings: string[] = [];
      for await (const c of exportTar(fs, { onWarning: (m) => warnings.push(m) })) parts.push(c.slice());
      const tar = Buffer.concat(parts);
      expect(tar.length % 512).toBe(0);
      const entries = parseTar(tar);
      const byName = new Map(entries.map((e) => [e.name, e]));
      let count = 0;
      for await (const w of fs.walk()) {
        if (w.stat.type === 'socket') continue;
        count++;
        const name = w.path === '/' ? './' : `.${w.path}${w.stat.type === 'dir' ? '/' : ''}`;
        const e = byName.get(name);
        expect(e, name).toBeDefined();
        expect(e!.mode).toBe(w.stat.mode & 0o7777);
        if (w.stat.type === 'file' && e!.type === '0') {
          const h = createHash('sha256');
          for await (const c of fs.nodeChunks(w.node)) h.update(c);
          expect(e!.sha256, name).toBe(h.digest('hex'));
        }
        if (w.stat.type === 'symlink') expect(e!.linkname).toBe(w.stat.target);
      }
      expect(entries).toHaveLength(count);
      expect(byName.get('./links/b.txt')).toMatchObject({ type: '1', linkname: './links/a.txt' });
      expect(byName.get(`./names/${'n'.repeat(255)}`)!.pax.path).toBeDefined();
      expect(byName.get('./data/text-1.txt')!.pax['SCHILY.xattr.user.comment']).toBe('one byte');
      expect(byName.get('./dev/sda1')).toMatchObject({ type: '4' });
      expect(warnings).toEqual(['/run/sock: socket ignored (tar cannot store sockets)']);
    } finally {
      await img.close();
    }
  });

  it('refuses to write to a terminal and knows only tar', async () => {
    const sif = join(TESTDATA, 'squashfs/images/gzip.sif');
    expect((await runCli(['export', sif], { tty: true })).stderr).toMatch(/refusing to write a tar archive to a terminal/);
    expect((await runCli(['export', '--format', 'zip', sif])).stderr).toMatch(/only "tar" is supported/);
  });
});
