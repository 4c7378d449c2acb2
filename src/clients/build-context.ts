/**
 * The build context of a remote build (Node): the files a definition's `%files` sections copy in,
 * as the reference build client packs them — a gzip'd tar whose entry names are absolute paths
 * without the leading `/`, parents first as directories, directories walked, symlinks stored as the
 * files they point to, each path once — and its digest `sha256.<hex of the gzip bytes>`.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { createGzip } from 'node:zlib';
import { sifError } from '../errors.js';
import { withPax } from '../container/tar.js';

/**
 * The source paths of a definition's `%files` sections that copy from the host (not `%files from
 * <stage>`), made absolute against `cwd`.
 *
 * @param def - the definition text
 * @param cwd - the working directory
 * @returns the paths, in order, once each
 */
export function definitionFiles(def: string, cwd: string): string[] {
  const out: string[] = [];
  let inFiles = false;
  for (const raw of def.split('\n')) {
    const line = raw.trim();
    const section = /^%(\S+)(.*)$/.exec(line);
    if (section) {
      inFiles = section[1] === 'files' && !/\bfrom\b/.test(section[2]!);
      continue;
    }
    if (!inFiles || line === '' || line.startsWith('#')) continue;
    const src = /^"([^"]*)"|^'([^']*)'|^(\S+)/.exec(line);
    const p = src?.[1] ?? src?.[2] ?? src?.[3];
    if (!p) continue;
    const abs = isAbsolute(p) ? p : resolve(cwd, p);
    if (!out.includes(abs)) out.push(abs);
  }
  return out;
}

const BLOCK = 512;

/** A written build context. */
export interface BuildContext {
  /** Size of the gzip'd tar. */
  size: number;
  /** `sha256.<hex>` of the gzip'd tar. */
  digest: string;
}

/**
 * Packs the paths into `out` (gzip'd tar) and returns its size and digest.
 *
 * @param paths - absolute source paths
 * @param out - the archive file to write
 * @returns size and `sha256.<hex>` of the gzip bytes
 * @throws SifError `INVALID_ARGUMENT` for a missing path or an unsupported file type
 */
export async function writeBuildContext(paths: string[], out: string): Promise<BuildContext> {
  const gzip = createGzip();
  const file = createWriteStream(out, { mode: 0o600, flags: 'wx' });
  const hash = createHash('sha256');
  let size = 0;
  gzip.on('data', (c: Buffer) => {
    hash.update(c);
    size += c.length;
  });
  const done = new Promise<void>((res, rej) => {
    file.on('finish', res);
    file.on('error', rej);
    gzip.on('error', rej);
  });
  gzip.pipe(file);
  const write = (b: Uint8Array): Promise<void> => new Promise((res) => (gzip.write(b) ? res() : gzip.once('drain', res)));
  const seen = new Set<string>();
  const entry = async (abs: string): Promise<void> => {
    const name = abs.replace(/^\/+/, '');
    if (name === '' || seen.has(name)) return;
    // parents first
    const parent = abs.slice(0, abs.lastIndexOf('/'));
    if (parent) await dirEntry(parent);
    const l = await lstat(abs).catch(() => undefined);
    if (!l) throw sifError('INVALID_ARGUMENT', `build context: ${abs}: no such file or directory`);
    const st = l.isSymbolicLink() ? await stat(abs) : l;
    if (st.isDirectory()) {
      await dirEntry(abs);
      for (const child of (await readdir(abs)).sort()) await entry(join(abs, child));
      return;
    }
    if (!st.isFile()) throw sifError('INVALID_ARGUMENT', `build context: ${abs}: unsupported file type`);
    seen.add(name);
    for (const b of withPax({ name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: st.size, mtime: Math.floor(st.mtimeMs / 1000), type: '0' })) await write(b);
    let n = 0;
    for await (const c of createReadStream(l.isSymbolicLink() ? await realpath(abs) : abs)) {
      n += (c as Buffer).length;
      await write(c as Buffer);
    }
    if (n !== st.size) throw sifError('IO_ERROR', `build context: ${abs} changed while it was read`);
    if (n % BLOCK) await write(new Uint8Array(BLOCK - (n % BLOCK)));
  };
  const dirEntry = async (abs: string): Promise<void> => {
    const name = `${abs.replace(/^\/+/, '')}/`;
    if (name === '/' || seen.has(name)) return;
    const parent = abs.slice(0, abs.lastIndexOf('/'));
    if (parent) await dirEntry(parent);
    seen.add(name);
    const st = await stat(abs);
    for (const b of withPax({ name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: 0, mtime: Math.floor(st.mtimeMs / 1000), type: '5' })) await write(b);
  };
  try {
    for (const p of paths) await entry(p);
    await write(new Uint8Array(2 * BLOCK));
  } finally {
    gzip.end();
  }
  await done;
  return { size, digest: `sha256.${hash.digest('hex')}` };
}
