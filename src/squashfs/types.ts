/**
 * The SquashFS reader's public shapes: what `stat` tells, walked entries, nodes, open options.
 *
 * @module
 */
import type { DeviceNumbers, FileType, Inode } from './inode.js';

/** What `stat` tells of a file. */
export interface Stat {
  /** File type. */
  type: FileType;
  /** `st_mode`: type bits and permissions. */
  mode: number;
  /** Owner uid. */
  uid: number;
  /** Group gid. */
  gid: number;
  /** Size as `unsquashfs -lln` prints it (file bytes; directory listing + 3; symlink target length). */
  size: number;
  /** Modification time, Unix seconds. */
  mtime: number;
  /** Inode number (hard links share it). */
  inode: number;
  /** Link count. */
  nlink: number;
  /** Symlink target. */
  target?: string;
  /** Device numbers. */
  rdev?: DeviceNumbers;
}

/** A directory entry with its facts. */
export interface DirEntryStat {
  /** The entry's name. */
  name: string;
  /** Its facts (a symlink's own). */
  stat: Stat;
}

/** A walked entry. */
export interface WalkEntry {
  /** Absolute path in the image (`/` for the root). */
  path: string;
  /** Its facts. */
  stat: Stat;
  /** The entry itself, for {@link SquashFs.nodeChunks} and {@link SquashFs.nodeXattrs} (no second lookup). */
  node: FsNode;
}

/** A file system entry as reached: its path and inode. */
export interface FsNode {
  /** Absolute path in the image. */
  readonly path: string;
  /** The inode. */
  readonly ino: Inode;
}

/** Options for {@link SquashFs.open}. */
export interface SquashFsOptions {
  /** Where the file system starts in the source (a SIF partition's offset). Default 0. */
  offset?: number;
  /** How many bytes it may use (a SIF partition's size). Default: to the end of the source. */
  size?: number;
}
