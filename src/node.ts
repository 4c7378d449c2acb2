/**
 * The Node.js entry: images on disk. Re-exports the portable core.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { FileStore } from './io/node.js';
import { recoverImage } from './io/durable.js';
import { createImage, type CreateOptions } from './image/edit.js';
import { loadImage, type LoadOptions, type SifImage } from './image/image.js';
import type { ScratchFactory } from './image/journal.js';
import type { HashPool } from './hash/pool.js';
import type { ObjectHasher } from './integrity/hasher.js';

export * from './index.js';
export { FileStore } from './io/node.js';
export { fileJournal, recoverImage, journalPath, type Recovery } from './io/durable.js';
export { HashPool } from './hash/pool.js';
export type { ObjectHasher } from './integrity/hasher.js';

/** Options for {@link openImage}. */
export interface OpenOptions extends LoadOptions {
  /** Open for writing (edits in place, with an undo journal). */
  writable?: boolean;
}

/**
 * Opens and loads an image file.
 *
 * @param path - the file
 * @param opts - writable, limits
 * @returns the image; call `close()` when done
 */
export async function openImage(path: string, opts: OpenOptions = {}): Promise<SifImage> {
  // An edit interrupted by a crash is finished or undone first (see fileJournal).
  await recoverImage(path);
  const store = await FileStore.open(path, opts.writable ? 'r+' : 'r');
  try {
    return await loadImage(store, opts);
  } catch (e) {
    await store.close();
    throw e;
  }
}

/**
 * A scratch factory that keeps an edit's saved bytes in a temporary file, so undo data for a large
 * overwrite (delete --zero of a big object) is never held in memory.
 *
 * @param dir - where to put the file (default: the OS temp directory)
 * @returns the factory
 */
export function tempFileScratch(dir: string = tmpdir()): ScratchFactory {
  return async () => {
    const path = join(dir, `.sifkit-undo-${randomBytes(8).toString('hex')}`);
    const store = await FileStore.open(path, 'w+');
    return Object.assign(store, { dispose: () => rm(path, { force: true }) });
  };
}

/**
 * Creates an image file. It is written to a temporary file beside `path` and renamed into place, so
 * a failure leaves any existing file at `path` untouched.
 *
 * @param path - the file to create (replaced if it exists)
 * @param opts - creation options
 * @returns the image, open for writing
 */
export async function createImageFile(path: string, opts: CreateOptions = {}): Promise<SifImage> {
  const tmp = join(dirname(path), `.${basename(path)}.sifkit-${randomBytes(6).toString('hex')}`);
  const store = await FileStore.open(tmp, 'w+');
  try {
    await createImage(store, opts);
    await store.sync();
    await rename(tmp, path);
  } catch (e) {
    await store.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  } finally {
    await store.close().catch(() => undefined);
  }
  return openImage(path, { writable: true });
}

/**
 * An object hasher that sends large objects of images opened from files to a worker pool, reading
 * through the image's own file descriptor. Smaller objects, and images not backed by a file, are
 * hashed inline.
 *
 * @param pool - the worker pool
 * @param minSize - smallest object sent to a worker (default 4 MiB)
 * @returns the hasher, for `verifyImage` / `signImage` options
 */
export function workerHasher(pool: HashPool, minSize = 4 << 20): ObjectHasher {
  return {
    digest(img, d, alg, onProgress) {
      const src = img.source;
      if (!(src instanceof FileStore) || d.size < minSize) return undefined;
      return pool.digest(src.handle.fd, d.offset, d.size, alg, onProgress);
    },
  };
}

/**
 * How many hashing workers pay off for an image: one per large object (at least 64 MiB) in a group, up
 * to the machine's cores — and none for a single large object, which the main thread hashes as fast
 * without a worker's start-up (measured: bench/run.mjs).
 *
 * @param img - the image
 * @param cores - cores available
 * @returns the worker count (0 = hash inline)
 */
export function workersFor(img: SifImage, cores: number = Math.min(4, availableParallelism())): number {
  // Measured: at 4 × 64 MiB workers only break even (their start-up), at 4 × 256 MiB they save 15%.
  const large = img.objects().filter((d) => d.groupId !== 0 && d.size >= 64 << 20).length;
  return large >= 2 ? Math.min(cores, large) : 0;
}
