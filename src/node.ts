/**
 * The Node.js entry: images on disk. Re-exports the portable core.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { isSifError } from './errors.js';
import { FileStore, ioError } from './io/node.js';
import { createImage, type CreateOptions } from './image/edit.js';
import type { SifImage } from './image/image.js';
import { openImage } from './io/open.js';
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
export { verifyCertificate, readCertificates, certificateKey, type CertificateVerifyOptions } from './keys/x509.js';
export { pullToFile, pushFile, imageArch, type PullOptions } from './clients/library-node.js';
export { BuildClient, type BuildInfo, type BuildRequest, type BuildClientOptions } from './clients/builder.js';
export { definitionFiles, writeBuildContext, type BuildContext } from './clients/build-context.js';
export { editRemoteConfig, remoteConfigFile, type RemoteDoc } from './clients/remote-write.js';
export { readRemoteConfig, discoverService, endpointKeyservers, type RemoteConfig, type Endpoint, type EndpointKeyserver, type StoredCredential, type ResolvedKeyserver } from './clients/remote-config.js';
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
export { openImage, recoverImage, type OpenOptions } from './io/open.js';

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
