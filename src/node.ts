/**
 * The Node.js entry: images on disk. Re-exports the portable core.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { FileStore } from './io/node.js';
import { createImage, type CreateOptions } from './image/edit.js';
import { loadImage, type LoadOptions, type SifImage } from './image/image.js';
import type { ScratchFactory } from './image/journal.js';

export * from './index.js';
export { FileStore } from './io/node.js';

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
