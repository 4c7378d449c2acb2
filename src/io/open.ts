/**
 * Opening images on disk: locks, crash-journal recovery, read-only and writable opens. Kept apart
 * from the Node entry so commands that only read (ls, cat, list…) load no signing code.
 *
 * @module
 */
import { sifError } from '../errors.js';
import { checkOptions, is } from '../options.js';
import { FileStore } from './node.js';
import { fileJournal } from './durable.js';
import { lockFile } from './lock.js';
import { editPendingError, journalRejectedError, journalStatus, recoverOpenImage, type Recovery } from './recovery.js';
import { loadImage, type LoadOptions, type SifImage } from '../image/image.js';
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

