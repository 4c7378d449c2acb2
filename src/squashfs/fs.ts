/**
 * A read-only SquashFS 4.0 file system over a random-access {@link ByteSource}: a file, a
 * `Uint8Array`, a `Blob`, or a partition inside a SIF (by offset, without copying). Paths are
 * resolved inside the image only: `..` stops at its root, absolute symlinks start at its root.
 *
 * @module
 */
import { sifError } from '../errors.js';
import { checkRange, type ByteSource } from '../io/source.js';
import { checkOptions, is } from '../options.js';
import { decompressor, type Decompress } from './codecs.js';
import { compareBytes, readIndex, readListing, type DirEntry } from './directory.js';
import { modeOf, NONE32, readInode, type Inode } from './inode.js';
import { MetadataReader, NotReady } from './metadata.js';
import { parseSuperblock, SUPERBLOCK_SIZE, type Superblock } from './superblock.js';
import { readXattrs, type Xattr } from './xattr.js';
import { u32le } from './bytes.js';
import { FileData } from './data.js';
import type { DirEntryStat, FsNode, SquashFsOptions, Stat, WalkEntry } from './types.js';

export { isHole } from './data.js';
export type { DirEntryStat, FsNode, SquashFsOptions, Stat, WalkEntry } from './types.js';

const MAX_SYMLINKS = 40;
const MAX_DEPTH = 4096;

const bad = (why: string): never => {
  throw sifError('SQUASHFS_INVALID', why);
};

type Node = FsNode;

/** A SquashFS file system. */
export class SquashFs {
  readonly #meta: MetadataReader;
  readonly #ids = new Map<number, Promise<number>>();
  readonly #idsReady = new Map<number, number>();
  readonly #data: FileData;

  private constructor(
    /** The source. */
    readonly source: ByteSource,
    /** The file system's first byte in the source. */
    readonly offset: number,
    /** Bytes it may use. */
    readonly limit: number,
    /** The superblock. */
    readonly superblock: Superblock,
    /** @internal */
    readonly decompress: Decompress,
  ) {
    this.#meta = new MetadataReader(source, offset, superblock.bytesUsed, decompress);
    this.#data = new FileData(this, this.#meta);
  }

  /**
   * Opens a file system.
   *
   * @param source - the bytes
   * @param opts - where it lies in the source
   * @returns the file system
   * @throws SifError `SQUASHFS_INVALID`, `UNSUPPORTED_COMPRESSION`
   */
  static async open(source: ByteSource, opts: SquashFsOptions = {}): Promise<SquashFs> {
    checkOptions('SquashFs.open', opts, { offset: is.int(0, Number.MAX_SAFE_INTEGER), size: is.int(0, Number.MAX_SAFE_INTEGER) });
    const offset = opts.offset ?? 0;
    const size = opts.size ?? source.size - offset;
    checkRange(source.size, offset, size);
    if (size < SUPERBLOCK_SIZE) bad(`squashfs superblock: needs ${SUPERBLOCK_SIZE} bytes, the partition has ${size}`);
    const sb = parseSuperblock(await source.read(offset, SUPERBLOCK_SIZE), size);
    return new SquashFs(source, offset, size, sb, await decompressor(sb.compression));
  }

  /** The root directory's inode. */
  async #root(): Promise<Node> {
    const ref = this.superblock.rootInode;
    const ino = await this.#inodeAt(Number(ref >> 16n) & 0xffffffff, Number(ref & 0xffffn), '/');
    if (ino.type !== 'dir') bad('the root inode is not a directory');
    return { ino, path: '/' };
  }

  /** The inode at (inode-table block, offset), parsed from loaded blocks (may throw `NotReady`). */
  #inodeSync(block: number, offset: number, where: string): Inode {
    const sb = this.superblock;
    return readInode(this.#meta.cursor(sb.inodeTableStart + block, offset, sb.directoryTableStart, `inode of ${where}`), sb.blockSize, where);
  }

  #inodeAt(block: number, offset: number, where: string): Promise<Inode> {
    return this.#meta.sync(() => this.#inodeSync(block, offset, where));
  }


  async #entries(dir: Node): Promise<DirEntry[]> {
    const d = dir.ino.dir!;
    const sb = this.superblock;
    // The directory table's end is not recorded (the next table's first block is not either): a
    // listing may read up to the end of the file system, and garbage there fails its checks.
    const c = this.#meta.cursor(sb.directoryTableStart + d.block, d.offset, sb.bytesUsed, `directory ${dir.path}`);
    return readListing(c, dir.ino.size, dir.path);
  }

  /** One entry by name: through the directory index when the inode has one (binary search), else a scan. */
  async #find(dir: Node, name: string): Promise<DirEntry | undefined> {
    const d = dir.ino.dir!;
    const want = new TextEncoder().encode(name);
    if (d.indexCount === 0 || !d.indexAt) return (await this.#entries(dir)).find((x) => compareBytes(x.nameBytes, want) === 0);
    const sb = this.superblock;
    const ic = this.#meta.cursor(d.indexAt.pos, d.indexAt.offset, sb.directoryTableStart, `directory index of ${dir.path}`);
    const index = await readIndex(ic, d.indexCount, dir.path);
    // The last index entry whose first name is <= the wanted one; before the first, the listing start.
    let lo = 0;
    let hi = index.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (compareBytes(index[mid]!.name, want) <= 0) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const listing = dir.ino.size - 3;
    let c = this.#meta.cursor(sb.directoryTableStart + d.block, d.offset, sb.bytesUsed, `directory ${dir.path}`);
    let skipped = 0;
    if (at >= 0) {
      const ix = index[at]!;
      if (ix.index > listing) bad(`${dir.path}: directory index points at byte ${ix.index} of a ${listing}-byte listing`);
      // An index's offset is from the listing's start; its block is where that header starts.
      c = this.#meta.cursor(sb.directoryTableStart + ix.start, (d.offset + ix.index) % 8192, sb.bytesUsed, `directory ${dir.path}`);
      skipped = ix.index;
    }
    for (const e of await readListing(c, listing - skipped + 3, dir.path)) {
      const cmp = compareBytes(e.nameBytes, want);
      if (cmp === 0) return e;
      if (cmp > 0) return undefined;
    }
    return undefined;
  }

  /** A directory entry's node, parsed from loaded blocks (may throw `NotReady`). */
  #childSync(dir: Node, e: DirEntry): Node {
    const path = dir.path === '/' ? `/${e.name}` : `${dir.path}/${e.name}`;
    const ino = this.#inodeSync(e.inodeBlock, e.inodeOffset, path);
    if (ino.type !== e.type) bad(`${path}: directory entry says ${e.type}, inode says ${ino.type}`);
    return { ino, path };
  }

  #child(dir: Node, e: DirEntry): Promise<Node> {
    return this.#meta.sync(() => this.#childSync(dir, e));
  }

  /** Resolves a path; `follow` follows a final symlink. Symlinks inside resolve within the image. */
  async #resolve(path: string, follow: boolean): Promise<Node> {
    let hops = 0;
    const walk = async (start: Node[], parts: string[], followLast: boolean): Promise<Node[]> => {
      const stack = [...start];
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i]!;
        if (part === '' || part === '.') continue;
        if (part === '..') {
          if (stack.length > 1) stack.pop();
          continue;
        }
        const dir = stack[stack.length - 1]!;
        if (dir.ino.type !== 'dir') throw sifError('NOT_A_DIRECTORY', `${dir.path}: not a directory`);
        const e = await this.#find(dir, part);
        const where = dir.path === '/' ? `/${part}` : `${dir.path}/${part}`;
        if (!e) throw sifError('PATH_NOT_FOUND', `${where}: no such file or directory in the image`);
        const node = await this.#child(dir, e);
        const last = i === parts.length - 1;
        if (node.ino.type === 'symlink' && (!last || followLast)) {
          if (++hops > MAX_SYMLINKS) throw sifError('SYMLINK_LOOP', `${where}: too many levels of symbolic links`);
          const target = new TextDecoder().decode(node.ino.target);
          const from = target.startsWith('/') ? stack.slice(0, 1) : stack.slice();
          const next = await walk(from, target.split('/'), true);
          stack.length = 0;
          stack.push(...next);
          continue;
        }
        stack.push(node);
        if (stack.length > MAX_DEPTH) bad(`${where}: deeper than ${MAX_DEPTH} levels`);
      }
      return stack;
    };
    const stack = await walk([await this.#root()], path.split('/'), follow);
    return stack[stack.length - 1]!;
  }

  async #stat(n: Node): Promise<Stat> {
    await this.#id(n.ino.uidIndex);
    await this.#id(n.ino.gidIndex);
    return this.#statSync(n)!;
  }

  #id(index: number): Promise<number> {
    let p = this.#ids.get(index);
    if (!p) {
      p = this.#data.lookup(this.superblock.idTableStart, this.superblock.idCount, 4, index, 'id').then((b) => {
        const id = u32le(b, 0);
        this.#idsReady.set(index, id);
        return id;
      });
      this.#ids.set(index, p);
    }
    return p;
  }

  /**
   * Facts of a path, following a final symlink.
   *
   * @param path - absolute path in the image
   * @returns the facts
   */
  async stat(path: string): Promise<Stat> {
    return this.#stat(await this.#resolve(path, true));
  }

  /**
   * Facts of a path itself (a symlink is not followed).
   *
   * @param path - absolute path in the image
   * @returns the facts
   */
  async lstat(path: string): Promise<Stat> {
    return this.#stat(await this.#resolve(path, false));
  }

  /**
   * A symlink's target.
   *
   * @param path - the link
   * @returns the target text
   */
  async readlink(path: string): Promise<string> {
    const n = await this.#resolve(path, false);
    if (n.ino.type !== 'symlink') throw sifError('INVALID_ARGUMENT', `${n.path}: not a symbolic link`);
    return new TextDecoder().decode(n.ino.target);
  }

  /**
   * A directory's entries with their facts, in stored (byte-sorted) order.
   *
   * @param path - the directory
   * @returns name and facts of each entry
   */
  async readdir(path: string): Promise<DirEntryStat[]> {
    const dir = await this.#resolve(path, true);
    if (dir.ino.type !== 'dir') throw sifError('NOT_A_DIRECTORY', `${dir.path}: not a directory`);
    const out: DirEntryStat[] = [];
    for (const n of await this.#children(dir)) out.push({ name: n.path.slice(n.path.lastIndexOf('/') + 1), stat: this.#statSync(n) ?? (await this.#stat(n)) });
    return out;
  }

  /**
   * Every entry under a path, depth first in stored order (the path itself first), as
   * `unsquashfs -lln` lists them. A directory that contains itself (a corrupt image) is an error.
   *
   * @param path - where to start (default the root)
   * @returns the entries
   */
  async *walk(path = '/'): AsyncGenerator<WalkEntry> {
    for await (const batch of this.walkBatches(path)) yield* batch;
  }

  /**
   * The entries of {@link SquashFs.walk}, in the same order, in arrays (the start, then one array per
   * directory entered): one wait per directory instead of one per entry, for listings of many files.
   *
   * @param path - where to start (default the root)
   * @returns arrays of entries
   */
  async *walkBatches(path = '/'): AsyncGenerator<WalkEntry[]> {
    const start = await this.#resolve(path, true);
    yield [{ path: start.path, stat: this.#statSync(start) ?? (await this.#stat(start)), node: start }];
    if (start.ino.type !== 'dir') return;
    // An explicit stack (not nested generators): one frame per open directory on the path.
    const onPath = new Set<number>([start.ino.number]);
    const stack: { dir: Node; kids: Node[]; next: number }[] = [{ dir: start, kids: await this.#children(start), next: 0 }];
    let batch: WalkEntry[] = [];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.next >= top.kids.length) {
        onPath.delete(top.dir.ino.number);
        stack.pop();
        continue;
      }
      const n = top.kids[top.next++]!;
      batch.push({ path: n.path, stat: this.#statSync(n) ?? (await this.#stat(n)), node: n });
      if (n.ino.type !== 'dir') continue;
      if (stack.length > MAX_DEPTH) bad(`${n.path}: deeper than ${MAX_DEPTH} levels`);
      if (onPath.has(n.ino.number)) bad(`${n.path}: directory loop (inode ${n.ino.number} contains itself)`);
      onPath.add(n.ino.number);
      yield batch;
      batch = [];
      stack.push({ dir: n, kids: await this.#children(n), next: 0 });
    }
    if (batch.length) yield batch;
  }

  /** A directory's entries as nodes, their inodes parsed in one synchronous pass per loaded block. */
  async #children(dir: Node): Promise<Node[]> {
    const entries = await this.#entries(dir);
    const out: Node[] = [];
    while (out.length < entries.length) {
      try {
        // resumes at the first entry whose inode block was not loaded yet
        for (let i = out.length; i < entries.length; i++) out.push(this.#childSync(dir, entries[i]!));
      } catch (x) {
        if (!(x instanceof NotReady)) throw x;
        await this.#meta.block(x.pos, x.what);
      }
    }
    return out;
  }

  /** {@link SquashFs.#stat} without waiting, when the owner ids are known. */
  #statSync(n: Node): Stat | undefined {
    const ino = n.ino;
    const uid = this.#idsReady.get(ino.uidIndex);
    const gid = this.#idsReady.get(ino.gidIndex);
    if (uid === undefined || gid === undefined) return undefined;
    const s: Stat = { type: ino.type, mode: modeOf(ino), uid, gid, size: ino.size, mtime: ino.mtime, inode: ino.number, nlink: ino.nlink };
    if (ino.target) s.target = new TextDecoder().decode(ino.target);
    if (ino.rdev) s.rdev = ino.rdev;
    return s;
  }

  /**
   * A regular file's data, streamed block by block (never whole in memory).
   *
   * @param path - the file (a final symlink is followed)
   * @returns its chunks, in order
   */
  async *chunks(path: string): AsyncGenerator<Uint8Array> {
    const n = await this.#resolve(path, true);
    if (n.ino.type === 'dir') throw sifError('IS_A_DIRECTORY', `${n.path}: is a directory`);
    if (n.ino.type !== 'file') throw sifError('INVALID_ARGUMENT', `${n.path}: not a regular file`);
    yield* this.#data.chunks(n);
  }

  /**
   * A walked regular file's data, streamed block by block.
   *
   * @param n - a node from {@link SquashFs.walk}
   * @returns its chunks, in order
   */
  nodeChunks(n: FsNode): AsyncGenerator<Uint8Array> {
    if (n.ino.type !== 'file') throw sifError('INVALID_ARGUMENT', `${n.path}: not a regular file`);
    return this.#data.chunks(n);
  }

  /**
   * A walked entry's extended attributes.
   *
   * @param n - a node from {@link SquashFs.walk}
   * @returns name/value pairs
   */
  async nodeXattrs(n: FsNode): Promise<Xattr[]> {
    if (n.ino.xattr === NONE32 || this.superblock.xattrIdTableStart === undefined) return [];
    return readXattrs(this.source, this.offset, this.superblock, this.#meta, n.ino.xattr, n.path);
  }

  /**
   * A regular file's data whole (at most 1 GiB; stream larger ones with {@link SquashFs.chunks}).
   *
   * @param path - the file
   * @returns its bytes
   */
  async readFile(path: string): Promise<Uint8Array> {
    const st = await this.stat(path);
    if (st.size > 1 << 30) throw sifError('TOO_LARGE', `${path}: ${st.size} bytes are too many to read whole: stream it with chunks()`);
    const out = new Uint8Array(st.size);
    let at = 0;
    for await (const c of this.chunks(path)) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /**
   * Extended attributes of a path (a final symlink is not followed), in stored order.
   *
   * @param path - the path
   * @returns name/value pairs (`user.`, `trusted.` and `security.` names)
   */
  async xattrs(path: string): Promise<Xattr[]> {
    return this.nodeXattrs(await this.#resolve(path, false));
  }
}
