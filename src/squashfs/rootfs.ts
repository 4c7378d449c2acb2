/**
 * A SIF's container file system: the primary system partition (or a chosen object) opened as
 * SquashFS in place, by offset, without copying.
 *
 * @module
 */
import { sifError } from '../errors.js';
import { readPartition } from '../format/extras.js';
import { DataType, FSType, PartType, fsTypeName } from '../format/types.js';
import type { ObjectDescriptor, SifImage } from '../image/image.js';
import { checkOptions, is } from '../options.js';
import { SquashFs } from './fs.js';
import { SQUASHFS_MAGIC } from './superblock.js';

/** Options for {@link openRootFs}. */
export interface RootFsOptions {
  /** Object ID of the partition to open (default: the primary system partition). */
  id?: number;
}

/**
 * The descriptor {@link openRootFs} would open.
 *
 * @param img - the image
 * @param id - an object ID, or undefined for the primary system partition
 * @returns the descriptor
 * @throws SifError `OBJECT_NOT_FOUND` when the image has no primary system partition
 */
export function rootFsObject(img: SifImage, id?: number): ObjectDescriptor {
  if (id !== undefined) return img.get(id);
  const prim = img.objects().filter((d) => d.dataType === DataType.Partition && readPartition(d.raw).partType === PartType.PrimSys);
  if (prim.length === 0) {
    const oci = img.objects().some((d) => d.dataType === DataType.OCIRootIndex || d.dataType === DataType.OCIBlob);
    throw sifError(
      'OBJECT_NOT_FOUND',
      oci
        ? 'image has no primary system partition: it is an OCI-SIF, whose layers are OCI.Blob objects (choose one with --partition ID)'
        : 'image has no primary system partition',
    );
  }
  return prim[0]!;
}

/**
 * Opens the container's file system: the primary system partition, or the object `opts.id` (a
 * squashfs partition, or any object whose data is a squashfs image, such as an OCI-SIF layer).
 *
 * @param img - the image
 * @param opts - which object
 * @returns the file system
 * @throws SifError `UNSUPPORTED_FILESYSTEM` for encrypted, ext3 and raw partitions; `SQUASHFS_INVALID`,
 *   `UNSUPPORTED_COMPRESSION`, `OBJECT_NOT_FOUND`
 */
export async function openRootFs(img: SifImage, opts: RootFsOptions = {}): Promise<SquashFs> {
  checkOptions('openRootFs', opts, { id: is.int(1, 0xffffffff) });
  const d = rootFsObject(img, opts.id);
  if (d.dataType === DataType.Partition) {
    const fs = readPartition(d.raw).fsType;
    if (fs === FSType.EncryptedSquashfs) {
      throw sifError('UNSUPPORTED_FILESYSTEM', `object ${d.id}: the partition is encrypted squashfs (a LUKS volume): only singularity with the key can read it`, {
        objectId: d.id,
      });
    }
    if (fs !== FSType.Squash) {
      throw sifError('UNSUPPORTED_FILESYSTEM', `object ${d.id}: a ${fsTypeName(fs)} partition: sifkit reads squashfs partitions only`, { objectId: d.id });
    }
  } else {
    const head = d.size >= 4 ? await img.source.read(d.offset, 4) : new Uint8Array(0);
    const magic = head.length === 4 ? (head[0]! | (head[1]! << 8) | (head[2]! << 16) | (head[3]! << 24)) >>> 0 : 0;
    if (magic !== SQUASHFS_MAGIC) {
      throw sifError('UNSUPPORTED_FILESYSTEM', `object ${d.id} (${d.dataTypeName}) is not a squashfs file system`, { objectId: d.id });
    }
  }
  try {
    return await SquashFs.open(img.source, { offset: d.offset, size: d.size });
  } catch (e) {
    if (e instanceof Error && 'code' in e) e.message = `object ${d.id}: ${e.message}`;
    throw e;
  }
}
