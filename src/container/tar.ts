/**
 * The container's file system as a POSIX (pax) tar stream, produced entry by entry and block by
 * block (never a whole file in memory): `./`-relative names, hard links as links, devices and fifos,
 * xattrs as `SCHILY.xattr.*` records (GNU tar, Docker and podman read them), pax records for long
 * names, large sizes and ids. Sockets cannot be stored in tar and are left out, as GNU tar does.
 *
 * Hand-written: the tar packages on npm are Node-stream based (tar-stream, tar) and sifkit's core is
 * portable; a ustar header is 512 bytes of fixed fields.
 *
 * @module
 */
import { checkOptions, is } from '../options.js';
import type { SquashFs, WalkEntry } from '../squashfs/fs.js';

/** Options for {@link exportTar}. */
export interface TarOptions {
  /** Subtree to export (default the root). */
  path?: string;
  /** Told of each entry left out (sockets). */
  onWarning?: (message: string) => void;
}

const enc = new TextEncoder();
const BLOCK = 512;

function octal(n: number, width: number): string | undefined {
  const s = n.toString(8);
  return s.length > width - 1 ? undefined : s.padStart(width - 1, '0');
}

/** A pax extended-header record: `"<len> key=value\n"`, the length counting itself. */
function paxRecord(key: string, value: Uint8Array): Uint8Array {
  const body = enc.encode(` ${key}=`);
  const rest = body.length + value.length + 1;
  let len = rest + String(rest).length;
  if (String(len).length > String(rest).length) len = rest + String(len).length;
  const out = new Uint8Array(len);
  const head = enc.encode(String(len));
  out.set(head);
  out.set(body, head.length);
  out.set(value, head.length + body.length);
  out[len - 1] = 0x0a;
  return out;
}

/** A tar entry's header fields. */
export interface TarHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  type: string;
  linkname?: string;
  major?: number;
  minor?: number;
}

const ascii = (s: string): boolean => /^[\x20-\x7e]*$/.test(s);

/** Builds a 512-byte ustar header; returns undefined fields needing pax records in `pax`. */
function header(h: TarHeader, pax: Map<string, Uint8Array>): Uint8Array {
  const b = new Uint8Array(BLOCK);
  const put = (at: number, width: number, text: string): void => {
    b.set(enc.encode(text).subarray(0, width), at);
  };
  const num = (at: number, width: number, n: number, key: string): void => {
    const s = octal(n, width);
    if (s === undefined) {
      pax.set(key, enc.encode(String(n)));
      put(at, width, '0'.repeat(width - 1));
    } else put(at, width, s);
  };
  let name = h.name;
  let prefix = '';
  const nameBytes = enc.encode(name);
  if (nameBytes.length > 100 || !ascii(name)) {
    // ustar's prefix/name split when it fits, else a pax path record.
    const cut = name.lastIndexOf('/', 155);
    if (ascii(name) && cut > 0 && cut <= 155 && nameBytes.length - cut - 1 <= 100 && cut < name.length - 1) {
      prefix = name.slice(0, cut);
      name = name.slice(cut + 1);
    } else {
      pax.set('path', nameBytes);
      name = ascii(name) ? name.slice(0, 100) : 'pax-path';
    }
  }
  put(0, 100, name);
  num(100, 8, h.mode & 0o7777, 'mode');
  num(108, 8, h.uid, 'uid');
  num(116, 8, h.gid, 'gid');
  num(124, 12, h.size, 'size');
  num(136, 12, h.mtime, 'mtime');
  put(148, 8, '        ');
  put(156, 1, h.type);
  if (h.linkname !== undefined) {
    if (enc.encode(h.linkname).length > 100 || !ascii(h.linkname)) {
      pax.set('linkpath', enc.encode(h.linkname));
      put(157, 100, ascii(h.linkname) ? h.linkname.slice(0, 100) : 'pax-linkpath');
    } else put(157, 100, h.linkname);
  }
  put(257, 6, 'ustar');
  put(263, 2, '00');
  put(265, 32, String(h.uid));
  put(297, 32, String(h.gid));
  if (h.major !== undefined) {
    num(329, 8, h.major, 'SCHILY.devmajor');
    num(337, 8, h.minor!, 'SCHILY.devminor');
  }
  put(345, 155, prefix);
  return b;
}

function checksum(b: Uint8Array): void {
  let sum = 0;
  for (const x of b) sum += x;
  b.set(enc.encode(sum.toString(8).padStart(6, '0') + '\0 '), 148);
}

/**
 * The header blocks of one entry (a pax extended header first when a field does not fit ustar).
 *
 * @param h - the fields
 * @param extra - extra pax records
 * @returns the blocks
 */
export function withPax(h: TarHeader, extra: Map<string, Uint8Array> = new Map()): Uint8Array[] {
  const pax = new Map(extra);
  const main = header(h, pax);
  checksum(main);
  if (pax.size === 0) return [main];
  const records = [...pax].map(([k, v]) => paxRecord(k, v));
  const size = records.reduce((n, r) => n + r.length, 0);
  const ph = header({ name: 'PaxHeader', mode: 0o644, uid: 0, gid: 0, size, mtime: h.mtime, type: 'x' }, new Map());
  checksum(ph);
  const body = new Uint8Array(Math.ceil(size / BLOCK) * BLOCK);
  let at = 0;
  for (const r of records) {
    body.set(r, at);
    at += r.length;
  }
  return [ph, body, main];
}

const TYPE_FLAG: Record<string, string> = { file: '0', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };

/**
 * The file system as a tar stream.
 *
 * @param fs - the file system
 * @param opts - subtree and warnings
 * @returns tar bytes in order (ends with the two zero blocks)
 */
export async function* exportTar(fs: SquashFs, opts: TarOptions = {}): AsyncGenerator<Uint8Array> {
  checkOptions('exportTar', opts, { path: is.string, onWarning: is.function });
  const warn = opts.onWarning ?? ((): void => undefined);
  const firstPath = new Map<number, string>();
  for await (const e of fs.walk(opts.path ?? '/')) yield* entry(fs, e, firstPath, warn);
  yield new Uint8Array(BLOCK * 2);
}

async function* entry(fs: SquashFs, e: WalkEntry, firstPath: Map<number, string>, warn: (m: string) => void): AsyncGenerator<Uint8Array> {
  const st = e.stat;
  const name = e.path === '/' ? './' : `.${e.path}${st.type === 'dir' ? '/' : ''}`;
  if (st.type === 'socket') {
    warn(`${e.path}: socket ignored (tar cannot store sockets)`);
    return;
  }
  const pax = new Map<string, Uint8Array>();
  for (const x of await fs.nodeXattrs(e.node)) pax.set(`SCHILY.xattr.${x.name}`, x.value);
  const base: TarHeader = { name, mode: st.mode, uid: st.uid, gid: st.gid, size: 0, mtime: st.mtime, type: TYPE_FLAG[st.type]! };
  if (st.type === 'file' && st.nlink > 1) {
    const first = firstPath.get(st.inode);
    if (first !== undefined) {
      yield* withPax({ ...base, type: '1', linkname: first }, pax);
      return;
    }
    firstPath.set(st.inode, name);
  }
  if (st.type === 'symlink') base.linkname = st.target!;
  if (st.rdev) {
    base.major = st.rdev.major;
    base.minor = st.rdev.minor;
  }
  if (st.type !== 'file') {
    yield* withPax(base, pax);
    return;
  }
  base.size = st.size;
  yield* withPax(base, pax);
  for await (const c of fs.nodeChunks(e.node)) yield c;
  const pad = (BLOCK - (st.size % BLOCK)) % BLOCK;
  if (pad) yield new Uint8Array(pad);
}
