/**
 * The SquashFS 4.0 superblock (96 bytes at the start of the file system), read and checked.
 *
 * @module
 */
import { sifError } from '../errors.js';
import { COMPRESSORS } from './codecs.js';

/** Size of the superblock. */
export const SUPERBLOCK_SIZE = 96;
/** `hsqs`. */
export const SQUASHFS_MAGIC = 0x73717368;
/** A table pointer meaning "no such table". */
export const NO_TABLE = 2 ** 64 - 1;

/** Superblock flags. */
export const SuperblockFlag = {
  /** Inode and directory tables stored uncompressed. */
  InodesUncompressed: 0x1,
  /** Data blocks stored uncompressed. */
  DataUncompressed: 0x2,
  /** Fragment blocks stored uncompressed. */
  FragmentsUncompressed: 0x8,
  /** No fragments: tails in their own blocks. */
  NoFragments: 0x10,
  /** Every file tail in a fragment. */
  AlwaysFragments: 0x20,
  /** Duplicate files were detected. */
  Duplicates: 0x40,
  /** Has an export (NFS lookup) table. */
  Exportable: 0x80,
  /** Xattr tables stored uncompressed. */
  XattrsUncompressed: 0x100,
  /** No xattrs stored. */
  NoXattrs: 0x200,
  /** Compressor options follow the superblock. */
  CompressorOptions: 0x400,
  /** ID table stored uncompressed. */
  IdsUncompressed: 0x800,
} as const;

/** The superblock's fields. Positions are relative to the file system's first byte. */
export interface Superblock {
  /** Inode count. */
  inodes: number;
  /** Creation time, Unix seconds. */
  mkfsTime: number;
  /** Data block size (4 KiB to 1 MiB). */
  blockSize: number;
  /** Fragment table entries. */
  fragments: number;
  /** Compressor id (1 gzip, 2 lzma, 3 lzo, 4 xz, 5 lz4, 6 zstd). */
  compression: number;
  /** Flags ({@link SuperblockFlag}). */
  flags: number;
  /** ID table entries. */
  idCount: number;
  /** Root directory inode reference. */
  rootInode: bigint;
  /** Bytes used by the file system. */
  bytesUsed: number;
  /** ID table location list. */
  idTableStart: number;
  /** Xattr ID table, or undefined. */
  xattrIdTableStart: number | undefined;
  /** Inode table. */
  inodeTableStart: number;
  /** Directory table. */
  directoryTableStart: number;
  /** Fragment table location list. */
  fragmentTableStart: number;
  /** Export table location list, or undefined. */
  lookupTableStart: number | undefined;
}

/**
 * Parses and checks a superblock.
 *
 * @param b - at least 96 bytes
 * @param available - bytes available from the superblock on (the partition's size)
 * @returns the superblock
 * @throws SifError `SQUASHFS_INVALID`, `UNSUPPORTED_COMPRESSION`
 */
export function parseSuperblock(b: Uint8Array, available: number): Superblock {
  const bad = (why: string): never => {
    throw sifError('SQUASHFS_INVALID', `squashfs superblock: ${why}`);
  };
  if (b.length < SUPERBLOCK_SIZE) bad(`needs ${SUPERBLOCK_SIZE} bytes, the partition has ${b.length}`);
  const v = new DataView(b.buffer, b.byteOffset, SUPERBLOCK_SIZE);
  const magic = v.getUint32(0, true);
  if (magic !== SQUASHFS_MAGIC) bad(`bad magic 0x${magic.toString(16)} (not a squashfs 4 file system)`);
  const major = v.getUint16(28, true);
  const minor = v.getUint16(30, true);
  if (major !== 4 || minor !== 0) bad(`version ${major}.${minor} (only 4.0 is supported)`);
  const blockSize = v.getUint32(12, true);
  const blockLog = v.getUint16(22, true);
  if (blockSize < 4096 || blockSize > 1 << 20 || (blockSize & (blockSize - 1)) !== 0) bad(`block size ${blockSize} is not a power of two from 4 KiB to 1 MiB`);
  if (1 << blockLog !== blockSize) bad(`block_log ${blockLog} does not match block size ${blockSize}`);
  const compression = v.getUint16(20, true);
  if (!COMPRESSORS[compression]) throw sifError('UNSUPPORTED_COMPRESSION', `squashfs compression id ${compression} is not one of gzip, lzma, lzo, xz, lz4, zstd`);
  const u64 = (at: number, name: string, optional = false): number | undefined => {
    const x = v.getBigUint64(at, true);
    if (optional && x === 0xffffffffffffffffn) return undefined;
    if (x > BigInt(available)) bad(`${name} ${x} lies past the partition's ${available} bytes`);
    return Number(x);
  };
  const bytesUsed = u64(40, 'bytes_used')!;
  const sb: Superblock = {
    inodes: v.getUint32(4, true),
    mkfsTime: v.getUint32(8, true),
    blockSize,
    fragments: v.getUint32(16, true),
    compression,
    flags: v.getUint16(24, true),
    idCount: v.getUint16(26, true),
    rootInode: v.getBigUint64(32, true),
    bytesUsed,
    idTableStart: u64(48, 'id_table_start')!,
    xattrIdTableStart: u64(56, 'xattr_id_table_start', true),
    inodeTableStart: u64(64, 'inode_table_start')!,
    directoryTableStart: u64(72, 'directory_table_start')!,
    fragmentTableStart: u64(80, 'fragment_table_start')!,
    lookupTableStart: u64(88, 'lookup_table_start', true),
  };
  if (sb.inodeTableStart < SUPERBLOCK_SIZE || sb.inodeTableStart > sb.directoryTableStart || sb.directoryTableStart > bytesUsed) {
    bad('inode and directory tables out of order');
  }
  if (sb.idCount === 0) bad('no ID table entries');
  return sb;
}
