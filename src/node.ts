/**
 * The Node.js entry: images on disk. Re-exports the portable core.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { isSifError, sifError } from './errors.js';
import { checkOptions, is } from './options.js';
import { FileStore, ioError } from './io/node.js';
import { fileJournal } from './io/durable.js';
import { lockFile } from './io/lock.js';
import { editPendingError, journalRejectedError, journalStatus, recoverOpenImage, type Recovery } from './io/recovery.js';
import { createImage, type CreateOptions } from './image/edit.js';
import { loadImage, type LoadOptions, type SifImage } from './image/image.js';
import type { ScratchFactory } from './image/journal.js';
import type { HashPool } from './hash/pool.js';
import type { ObjectHasher } from './integrity/hasher.js';

export * from './index.js';
export { FileStore, readSmallFile, type FileStoreOptions, type OpenMode, type EditLogFactory } from './io/node.js';
export { fileJournal, journalPath, type FileJournalOptions } from './io/durable.js';
export {
  journalStatus,
  type JournalStatus,
  type NoJournal,
  type EmptyJournal,
  type PendingJournal,
  type RejectedJournal,
  type Recovery,
} from './io/recovery.js';
export { HashPool } from './hash/pool.js';
export { extractFs, type ExtractOptions, type ExtractSummary } from './container/extract.js';
export {
  keyringPaths,
  readKeyring,
  updateKeyring,
  DEFAULT_GLOBAL_KEYRING,
  type KeyringPaths,
  type KeyringLocation,
  type UpdateKeyringOptions,
} from './keys/keyring.js';
export type { ObjectHasher } from './integrity/hasher.js';

/** Options for {@link openImage}. */
export interface OpenOptions extends LoadOptions {
  /**
   * Open for writing: holds an exclusive lock until `close()`, first recovers an interrupted edit
   * whose journal authenticates, and makes edits keep a crash journal beside the image.
   */
  writable?: boolean;
  /**
   * How long to wait for another process's lock on the image, in ms (default: no limit; 0 = fail at
   * once with `IMAGE_BUSY`). Readers share; a writer excludes everyone.
   */
  lockTimeoutMs?: number;
  /** Told once when the image is locked by another process and the open starts waiting. */
  onLockWait?: () => void;
  /**
   * Told of things worth a warning: a journal that is not applied (read-only opens), locks being
   * unavailable on this platform, an edit that must run without a crash journal. The library never
   * prints.
   */
  onWarning?: (message: string) => void;
}

const OPEN_SPEC = {
  writable: is.boolean,
  lockTimeoutMs: is.int(0, 2 ** 31),
  onLockWait: is.function,
  onWarning: is.function,
  maxDescriptors: is.int(0, 2 ** 32),
};

async function openLocked(path: string, opts: OpenOptions): Promise<FileStore> {
  checkOptions('openImage', opts, OPEN_SPEC);
  if (typeof path !== 'string') throw sifError('INVALID_ARGUMENT', 'openImage: path must be a string');
  const store = await FileStore.open(path, opts.writable ? 'r+' : 'r');
  try {
    const lock = await lockFile(store.handle.fd, path, {
      shared: !opts.writable,
      ...(opts.lockTimeoutMs !== undefined ? { timeoutMs: opts.lockTimeoutMs } : {}),
      ...(opts.onLockWait ? { onWait: opts.onLockWait } : {}),
    });
    if (lock === 'unavailable') opts.onWarning?.(`${path}: file locks are not available on this platform: the image is used unlocked`);
    await store.refreshSize(); // it may have changed while we waited
    return store;
  } catch (e) {
    await store.close();
    throw e;
  }
}

/**
 * Opens and loads an image file, under a lock held until `close()`: shared for reading, exclusive
 * for writing.
 *
 * A read-only open never changes anything: when an interrupted edit of the image is pending, it
 * refuses with `EDIT_PENDING` (finish it with {@link recoverImage} or `sifkit recover`); a journal
 * that does not belong to the image is ignored (and reported to `onWarning`). A writable open first
 * recovers a pending edit, and refuses with `JOURNAL_REJECTED` a journal that does not authenticate.
 *
 * @param path - the file
 * @param opts - writable, lock waiting, warnings, limits
 * @returns the image; call `close()` when done
 * @throws SifError `EDIT_PENDING`, `JOURNAL_REJECTED`, `IMAGE_BUSY`, or a format code
 */
export async function openImage(path: string, opts: OpenOptions = {}): Promise<SifImage> {
  const store = await openLocked(path, opts);
  try {
    if (opts.writable) {
      await recoverOpenImage(store);
      store.editLogFactory = (s) => fileJournal(s, opts.onWarning ? { onWarning: opts.onWarning } : {});
    } else {
      const status = await journalStatus(store);
      if (status.state === 'pending') throw editPendingError(path, status.path);
      if (status.state === 'rejected') opts.onWarning?.(journalRejectedError(path, status).message.replace('refusing', 'ignoring'));
    }
    return await loadImage(store, opts.maxDescriptors !== undefined ? { maxDescriptors: opts.maxDescriptors } : {});
  } catch (e) {
    await store.close();
    throw e;
  }
}

/**
 * Finishes or undoes an interrupted edit of an image (what `sifkit recover` runs): an uncommitted edit
 * is rolled back to the original bytes and length, a committed one completed. Only a journal that
 * authenticates (see SECURITY.md: owner, mode, the image's identity, checksums) is applied; anything
 * else is refused with `JOURNAL_REJECTED` and neither file is touched.
 *
 * @param path - the image
 * @param opts - lock waiting
 * @returns what was done
 */
export async function recoverImage(path: string, opts: Pick<OpenOptions, 'lockTimeoutMs' | 'onLockWait'> = {}): Promise<Recovery> {
  const store = await openLocked(path, { ...opts, writable: true });
  try {
    return await recoverOpenImage(store);
  } finally {
    await store.close();
  }
}

/**
 * A scratch factory that keeps an edit's saved bytes in a private temporary file (mode 0600, created
 * exclusively and unlinked at once), so undo data for a large overwrite is never held in memory.
 *
 * @param dir - where to put the file (default: the OS temp directory)
 * @returns the factory
 */
export function tempFileScratch(dir: string = tmpdir()): ScratchFactory {
  return async () => {
    const path = join(dir, `.sifkit-undo-${randomBytes(8).toString('hex')}`);
    const store = await FileStore.open(path, 'wx+', { createMode: 0o600, noFollow: true });
    await rm(path, { force: true });
    return store;
  };
}

/**
 * Creates an image file. It is written to a temporary file beside `path` (created exclusively) and
 * renamed into place, so a failure leaves any existing file at `path` untouched. The new file's mode
 * follows the umask, as siftool's.
 *
 * @param path - the file to create (replaced if it exists)
 * @param opts - creation options
 * @returns the image, open for writing
 */
export async function createImageFile(path: string, opts: CreateOptions = {}): Promise<SifImage> {
  const tmp = join(dirname(path), `.${basename(path)}.sifkit-${randomBytes(6).toString('hex')}`);
  // Failures name the image, never the hidden temporary file.
  const store = await FileStore.open(tmp, 'wx+', { noFollow: true }).catch((e: unknown) => {
    throw ioError('create', path, (e as { cause?: unknown }).cause ?? e);
  });
  try {
    await createImage(store, opts);
    await store.sync();
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw isSifError(e) && e.code !== 'IO_ERROR' ? e : ioError('create', path, (e as { cause?: unknown }).cause ?? e);
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
