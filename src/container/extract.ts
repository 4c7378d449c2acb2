/**
 * Extraction of the container's file system to a directory (Node), as `unsquashfs -d DIR -f` does:
 * modes, owners (as root), mtimes, symlinks, hard links, sparse files as holes, fifos, sockets,
 * devices (as root; otherwise skipped with a warning) and xattrs (where the file system and the
 * user's rights allow; otherwise a warning).
 *
 * Containment: every name comes from a checked directory listing (never `/`, NUL, `.` or `..`), every
 * parent on the way is a directory this run made or found as a real directory (never a symlink), and
 * every entry is created exclusively without following links — so nothing is written outside DIR,
 * whatever the image's symlinks say (they are created as they are, never followed).
 *
 * @module
 */
import { execFile } from 'node:child_process';
import * as fsx from 'node:fs';
import { constants, promises as fsp } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sifError } from '../errors.js';
import { checkOptions, is, throwIfAborted } from '../options.js';
import { isHole, type SquashFs, type WalkEntry } from '../squashfs/fs.js';

/** Options for {@link extractFs}. */
export interface ExtractOptions {
  /** Subtree of the image to extract (default the root); it lands at the same path under DIR. */
  path?: string;
  /** Restore owners (default: when running as root). */
  owners?: boolean;
  /** Told of entries skipped or attributes not restored. */
  onWarning?: (message: string) => void;
  /** Told after each entry: entries and file bytes so far. */
  onProgress?: (entries: number, bytes: number) => void;
  /** Stops the extraction (what is written stays). */
  signal?: AbortSignal;
}

/** What an extraction did. */
export interface ExtractSummary {
  /** Entries created. */
  entries: number;
  /** File bytes written (holes not counted). */
  bytes: number;
  /** Entries skipped (devices without root). */
  skipped: number;
}

const run = promisify(execFile);
/** Regular files written concurrently. */
const FILES_IN_FLIGHT = 8;

/**
 * The many small metadata calls per entry (lstat, open, chmod, utimes, …) are made synchronously:
 * through the thread pool each would cost a round trip and leave the process idle most of the time;
 * data blocks still decompress ahead on the pool while a file is written.
 */
const lstatOrUndefined = (p: string): fsx.Stats | undefined => fsx.lstatSync(p, { throwIfNoEntry: false });
const isRoot = (): boolean => typeof process.geteuid === 'function' && process.geteuid() === 0;

interface XattrModule {
  setAttributeSync(path: string, name: string, value: Uint8Array): void;
}
let xattrModule: Promise<XattrModule | Error> | undefined;
/** `@napi-rs/xattr` (prebuilt, no install script): Node itself has no xattr calls. */
const loadXattr = (): Promise<XattrModule | Error> =>
  (xattrModule ??= import('@napi-rs/xattr').then(
    (m) => (m as unknown as { default?: XattrModule }).default ?? (m as unknown as XattrModule),
    (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
  ));

/**
 * Extracts the file system (or a subtree) into `dir`, created when missing.
 *
 * @param fs - the file system
 * @param dir - the target directory
 * @param opts - options
 * @returns counts
 * @throws SifError `UNSAFE_PATH` when a parent inside DIR is not a real directory; the reader's errors
 */
export async function extractFs(fs: SquashFs, dir: string, opts: ExtractOptions = {}): Promise<ExtractSummary> {
  checkOptions('extractFs', opts, { path: is.string, owners: is.boolean, onWarning: is.function, onProgress: is.function, signal: is.signal });
  const warn = opts.onWarning ?? ((): void => undefined);
  const owners = opts.owners ?? isRoot();
  const root = isRoot();
  await fsp.mkdir(dir, { recursive: true, mode: 0o755 });
  const summary: ExtractSummary = { entries: 0, bytes: 0, skipped: 0 };
  const links = new Map<number, { path: string; done: Promise<void> }>();
  const dirs: { dest: string; e: WalkEntry }[] = [];
  const made = new Set<string>([dir]);
  let xattrWarned = false;

  const dest = (path: string): string => (path === '/' ? dir : join(dir, ...path.split('/').filter(Boolean)));
  /** Makes sure each parent of `path` under DIR is a real directory. */
  const parents = (path: string): void => {
    const parts = path.split('/').filter(Boolean);
    let at = dir;
    for (const p of parts.slice(0, -1)) {
      at = join(at, p);
      if (made.has(at)) continue;
      const st = lstatOrUndefined(at);
      if (!st) fsx.mkdirSync(at, { mode: 0o755 });
      else if (!st.isDirectory()) throw sifError('UNSAFE_PATH', `${at}: exists and is not a directory (a symlink is never followed)`);
      made.add(at);
    }
  };
  /** Clears the way for a new entry (extracting over an earlier extraction, as `unsquashfs -f`). */
  const clear = (to: string, keepDir: boolean): boolean => {
    const st = lstatOrUndefined(to);
    if (!st) return false;
    if (st.isDirectory()) {
      if (keepDir) return true;
      fsx.rmSync(to, { recursive: true });
    } else fsx.unlinkSync(to);
    return false;
  };
  const xattrs = async (e: WalkEntry, to: string): Promise<void> => {
    const list = await fs.nodeXattrs(e.node);
    if (list.length === 0) return;
    const mod = await loadXattr();
    if (mod instanceof Error) {
      if (!xattrWarned) warn(`xattrs are not restored: ${mod.message}`);
      xattrWarned = true;
      return;
    }
    for (const x of list) {
      try {
        mod.setAttributeSync(to, x.name, x.value);
      } catch (err) {
        warn(`${e.path}: xattr ${x.name} not restored: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  const owner = (e: WalkEntry, to: string): void => {
    if (owners) fsx.lchownSync(to, e.stat.uid, e.stat.gid);
  };

  const inflight = new Set<Promise<void>>();
  const state: { failure?: { e: unknown } } = {};
  const check = (): void => {
    if (state.failure) throw state.failure.e;
  };
  const writeFile = async (e: WalkEntry, to: string): Promise<void> => {
    const st = e.stat;
    const fd = fsx.openSync(to, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      let pos = 0;
      for await (const c of fs.nodeChunks(e.node)) {
        if (!isHole(c)) {
          let off = 0;
          while (off < c.length) off += fsx.writeSync(fd, c, off, c.length - off, pos + off);
          summary.bytes += c.length;
        }
        pos += c.length;
      }
      fsx.ftruncateSync(fd, pos);
    } finally {
      fsx.closeSync(fd);
    }
    await xattrs(e, to);
    owner(e, to);
    fsx.chmodSync(to, st.mode & 0o7777);
    fsx.utimesSync(to, st.mtime, st.mtime);
  };

  for await (const e of fs.walk(opts.path ?? '/')) {
    check();
    throwIfAborted(opts.signal, 'extract');
    const to = dest(e.path);
    const st = e.stat;
    if (e.path !== '/') parents(e.path);
    switch (st.type) {
      case 'dir': {
        if (!clear(to, true)) fsx.mkdirSync(to, { mode: 0o700 });
        else fsx.chmodSync(to, 0o700);
        made.add(to);
        dirs.push({ dest: to, e });
        break;
      }
      case 'file': {
        clear(to, false);
        const first = st.nlink > 1 ? links.get(st.inode) : undefined;
        if (first !== undefined) {
          await first.done;
          fsx.linkSync(first.path, to);
          break;
        }
        // Files are written a few at a time, so the next files' blocks are read and decompressed
        // while one is written (one at a time, each waits on its own reads).
        while (inflight.size >= FILES_IN_FLIGHT) await Promise.race(inflight);
        check();
        const task = writeFile(e, to).then(
          () => undefined,
          (x: unknown) => {
            state.failure ??= { e: x };
          },
        );
        inflight.add(task);
        void task.finally(() => inflight.delete(task));
        if (st.nlink > 1) links.set(st.inode, { path: to, done: task });
        break;
      }
      case 'symlink': {
        clear(to, false);
        fsx.symlinkSync(st.target!, to);
        owner(e, to);
        fsx.lutimesSync(to, st.mtime, st.mtime);
        break;
      }
      case 'fifo':
      case 'block':
      case 'char':
      case 'socket': {
        if ((st.type === 'block' || st.type === 'char') && !root) {
          warn(`${e.path}: ${st.type} device not created (needs root)`);
          summary.skipped++;
          continue;
        }
        clear(to, false);
        try {
          await special(e, to);
        } catch (err) {
          warn(`${e.path}: ${st.type} not created: ${err instanceof Error ? err.message : String(err)}`);
          summary.skipped++;
          continue;
        }
        await xattrs(e, to);
        owner(e, to);
        fsx.chmodSync(to, st.mode & 0o7777);
        fsx.utimesSync(to, st.mtime, st.mtime);
        break;
      }
    }
    summary.entries++;
    opts.onProgress?.(summary.entries, summary.bytes);
  }
  await Promise.all(inflight);
  check();
  // Directories last, deepest first: their modes may forbid writing and their mtimes change as
  // entries are made in them.
  for (const { dest: to, e } of dirs.reverse()) {
    await xattrs(e, to);
    owner(e, to);
    fsx.chmodSync(to, e.stat.mode & 0o7777);
    fsx.utimesSync(to, e.stat.mtime, e.stat.mtime);
  }
  return summary;
}

/**
 * Creates a fifo, device or socket. Node has no mknod: fifos and devices are made by coreutils'
 * `mkfifo`/`mknod` (argument vectors, no shell); a socket by binding a server to a temporary name in
 * the same directory and hard-linking it into place (closing the server removes only the temporary name).
 */
async function special(e: WalkEntry, to: string): Promise<void> {
  const st = e.stat;
  if (st.type === 'fifo') await run('mkfifo', ['-m', '600', '--', to]);
  else if (st.type === 'block' || st.type === 'char') {
    await run('mknod', ['-m', '600', '--', to, st.type === 'block' ? 'b' : 'c', String(st.rdev!.major), String(st.rdev!.minor)]);
  } else {
    const tmp = `${to}.sifkit-sock-${process.pid}`;
    // A socket address holds at most 107 bytes of path.
    if (Buffer.byteLength(tmp) > 100) throw sifError('UNSUPPORTED_FILESYSTEM', `${e.path}: socket path too long to create`);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(tmp, resolve);
    });
    try {
      await fsp.link(tmp, to);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fsp.unlink(tmp).catch(() => undefined);
    }
  }
}
