/**
 * Inodes: the 16-byte common header and every type's payload, basic and extended.
 *
 * @module
 */
import { sifError } from '../errors.js';
import type { MetadataCursor } from './metadata.js';

/** File types, as `ls` names them. */
export type FileType = 'dir' | 'file' | 'symlink' | 'block' | 'char' | 'fifo' | 'socket';

/** The type of each basic inode type number (1..7); extended ones are +7. */
export const TYPE_NAMES: readonly FileType[] = ['dir', 'file', 'symlink', 'block', 'char', 'fifo', 'socket'];

/** `st_mode` type bits of each file type. */
export const MODE_BITS: Readonly<Record<FileType, number>> = {
  dir: 0o040000,
  file: 0o100000,
  symlink: 0o120000,
  block: 0o060000,
  char: 0o020000,
  fifo: 0o010000,
  socket: 0o140000,
};

/** No xattrs / no fragment. */
export const NONE32 = 0xffffffff;

/** Where a directory's listing is, and its index. */
export interface DirLayout {
  /** Directory table block of the listing (relative to the table). */
  block: number;
  /** Offset of the listing in that block. */
  offset: number;
  /** Parent directory's inode number. */
  parent: number;
  /** Directory index entries (extended inodes). */
  indexCount: number;
  /** Where the index starts in the inode table (extended inodes). */
  indexAt?: MetadataPos;
}

/** A position in a metadata table: block position and offset in the uncompressed block. */
export interface MetadataPos {
  /** Block position, relative to the file system. */
  pos: number;
  /** Offset in the uncompressed block. */
  offset: number;
}

/** Where a regular file's data is. */
export interface FileLayout {
  /** Position of the first data block. */
  start: number;
  /** Fragment index, or {@link NONE32}. */
  fragment: number;
  /** Offset of the tail in its fragment block. */
  fragmentOffset: number;
  /** Full data blocks (plus a partial last one when there is no fragment). */
  blockCount: number;
  /** Where the block-size list follows the inode. */
  blockListAt: MetadataPos;
}

/** Device numbers. */
export interface DeviceNumbers {
  /** Major number. */
  major: number;
  /** Minor number. */
  minor: number;
}

/** A parsed inode. */
export interface Inode {
  /** File type. */
  type: FileType;
  /** Whether the extended form was used. */
  extended: boolean;
  /** Permission bits (0o7777). */
  permissions: number;
  /** Index into the ID table for the owner. */
  uidIndex: number;
  /** Index into the ID table for the group. */
  gidIndex: number;
  /** Modification time, Unix seconds. */
  mtime: number;
  /** Inode number (1..inodes). */
  number: number;
  /** Link count (1 for basic files). */
  nlink: number;
  /** Xattr table index, or {@link NONE32}. */
  xattr: number;
  /** Size: file bytes; directory listing + 3; symlink target length; 0 otherwise. */
  size: number;
  /** Directories: listing position (dir-table block, offset). */
  dir?: DirLayout;
  /** Files: data layout; the block list follows the inode at `blockListAt`. */
  file?: FileLayout;
  /** Symlinks: target bytes. */
  target?: Uint8Array;
  /** Devices: major and minor. */
  rdev?: DeviceNumbers;
}

const bad = (why: string): never => {
  throw sifError('SQUASHFS_INVALID', why);
};

/**
 * Reads one inode at the cursor, synchronously: a block not loaded yet throws `NotReady` (run it
 * under `MetadataReader.sync`).
 *
 * @param c - a cursor in the inode table at the inode
 * @param blockSize - the file system's block size
 * @param where - a name for messages
 * @returns the inode
 */
export function readInode(c: MetadataCursor, blockSize: number, where: string): Inode {
  const h = c.takeSync(16);
  const hv = new DataView(h.buffer, h.byteOffset, 16);
  const raw = hv.getUint16(0, true);
  if (raw < 1 || raw > 14) bad(`${where}: inode type ${raw} is not one of 1..14`);
  const extended = raw > 7;
  const type = TYPE_NAMES[(raw - 1) % 7]!;
  const ino: Inode = {
    type,
    extended,
    permissions: hv.getUint16(2, true) & 0o7777,
    uidIndex: hv.getUint16(4, true),
    gidIndex: hv.getUint16(6, true),
    mtime: hv.getUint32(8, true),
    number: hv.getUint32(12, true),
    nlink: 1,
    xattr: NONE32,
    size: 0,
  };
  const u32s = (n: number): number[] => {
    const b = c.takeSync(4 * n);
    const out: number[] = [];
    for (let i = 0; i < 4 * n; i += 4) out.push((b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0);
    return out;
  };
  switch (raw) {
    case 1: {
      const b = c.takeSync(16);
      const v = new DataView(b.buffer, b.byteOffset, 16);
      ino.dir = { block: v.getUint32(0, true), offset: v.getUint16(10, true), parent: v.getUint32(12, true), indexCount: 0 };
      ino.nlink = v.getUint32(4, true);
      ino.size = v.getUint16(8, true);
      break;
    }
    case 8: {
      const b = c.takeSync(24);
      const v = new DataView(b.buffer, b.byteOffset, 24);
      ino.nlink = v.getUint32(0, true);
      ino.size = v.getUint32(4, true);
      ino.dir = {
        block: v.getUint32(8, true),
        parent: v.getUint32(12, true),
        indexCount: v.getUint16(16, true),
        offset: v.getUint16(18, true),
        indexAt: { pos: c.pos, offset: c.offset },
      };
      ino.xattr = v.getUint32(20, true);
      break;
    }
    case 2:
    case 9: {
      let start: number;
      let size: number;
      let fragment: number;
      let fragmentOffset: number;
      if (raw === 2) {
        [start, fragment, fragmentOffset, size] = (u32s(4)) as [number, number, number, number];
      } else {
        const b = c.takeSync(40);
        const v = new DataView(b.buffer, b.byteOffset, 40);
        const s64 = (at: number, name: string): number => {
          const x = v.getBigUint64(at, true);
          if (x > BigInt(Number.MAX_SAFE_INTEGER)) bad(`${where}: ${name} ${x} out of range`);
          return Number(x);
        };
        start = s64(0, 'start block');
        size = s64(8, 'file size');
        ino.nlink = v.getUint32(24, true);
        fragment = v.getUint32(28, true);
        fragmentOffset = v.getUint32(32, true);
        ino.xattr = v.getUint32(36, true);
      }
      ino.size = size;
      const blockCount = fragment === NONE32 ? Math.ceil(size / blockSize) : Math.floor(size / blockSize);
      ino.file = { start, fragment, fragmentOffset, blockCount, blockListAt: { pos: c.pos, offset: c.offset } };
      break;
    }
    case 3:
    case 10: {
      const [nlink, len] = (u32s(2)) as [number, number];
      ino.nlink = nlink;
      if (len > 4096) bad(`${where}: symlink target of ${len} bytes (at most 4096)`);
      ino.size = len;
      ino.target = (c.takeSync(len)).slice();
      if (raw === 10) ino.xattr = (u32s(1))[0]!;
      break;
    }
    case 4:
    case 5:
    case 11:
    case 12: {
      const [nlink, dev, xattr] = u32s(raw > 7 ? 3 : 2);
      ino.nlink = nlink!;
      ino.rdev = { major: (dev! & 0xfff00) >>> 8, minor: (dev! & 0xff) | ((dev! >>> 12) & 0xfff00) };
      if (xattr !== undefined) ino.xattr = xattr;
      break;
    }
    default: {
      const [nlink, xattr] = u32s(raw > 7 ? 2 : 1);
      ino.nlink = nlink!;
      if (xattr !== undefined) ino.xattr = xattr;
    }
  }
  return ino;
}

/**
 * `st_mode` of an inode.
 *
 * @param ino - the inode
 * @returns type bits and permissions
 */
export function modeOf(ino: Inode): number {
  return MODE_BITS[ino.type] | ino.permissions;
}
