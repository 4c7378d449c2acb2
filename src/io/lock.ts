/**
 * Advisory locks on image files, across processes: an edit holds an exclusive lock for its whole
 * duration, a reader a shared one.
 *
 * Why kernel locks through `fs-native-extensions` rather than a lock file (`proper-lockfile`):
 * - a reader must be able to lock an image it may only read, in a directory it may not write (shared
 *   images under /opt, /cvmfs): a lock file needs a writable directory, a kernel lock only an open
 *   file descriptor;
 * - readers share: many may read at once, only writers exclude (lock files are exclusive only);
 * - a crashed writer's lock disappears with its process (the kernel drops it when the descriptor
 *   closes), so there is no stale-lock guessing by mtime, and no lock file another user could plant;
 * - `fs-native-extensions` (Holepunch, used by Hypercore) ships prebuilt binaries for Linux, macOS and
 *   Windows, so `npm install` needs no compiler; it uses open-file-description locks (`F_OFD_SETLK`)
 *   on Linux, `flock` on macOS and `LockFileEx` on Windows, all released on close or process death.
 * Where the addon cannot load (an exotic platform), images are used unlocked and the caller is told.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { sifError } from '../errors.js';

interface NativeLocks {
  tryLock(fd: number, opts: { shared: boolean }): boolean;
  unlock(fd: number): void;
}

let native: NativeLocks | null | undefined;

function locks(): NativeLocks | null {
  if (native === undefined) {
    try {
      native = createRequire(import.meta.url)('fs-native-extensions') as NativeLocks;
    } catch {
      native = null;
    }
  }
  return native;
}

/** Options for {@link lockFile}. */
export interface LockOptions {
  /** A shared (read) lock instead of an exclusive (write) one. */
  shared: boolean;
  /** How long to wait for another process's lock, in ms (default: no limit; 0 = do not wait). */
  timeoutMs?: number;
  /** Called once when the lock is held by another process and waiting begins. */
  onWait?: () => void;
}

/** What {@link lockFile} got. */
export type LockResult = 'locked' | 'unavailable';

const POLL_MS = [10, 20, 50, 100, 200];

/**
 * Locks an open file. The lock lasts until the descriptor is closed (or {@link unlockFile}).
 * Polls rather than blocking a thread-pool thread, so a wait can time out and the process can exit.
 *
 * @param fd - the open file's descriptor (opened for writing for an exclusive lock)
 * @param path - the file, for messages
 * @param opts - shared or exclusive, time-out
 * @returns `locked`, or `unavailable` where the platform has no lock support
 * @throws SifError `IMAGE_BUSY` when the time-out passes first
 */
export async function lockFile(fd: number, path: string, opts: LockOptions): Promise<LockResult> {
  const n = locks();
  if (!n) return 'unavailable';
  const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
  for (let i = 0; ; i++) {
    if (n.tryLock(fd, { shared: opts.shared })) return 'locked';
    if (Date.now() >= deadline) {
      throw sifError(
        'IMAGE_BUSY',
        `${path}: another process is ${opts.shared ? 'editing' : 'using'} this image (it holds a lock on it); try again when it has finished`,
      );
    }
    if (i === 0) opts.onWait?.();
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS[Math.min(i, POLL_MS.length - 1)]!, Math.max(0, deadline - Date.now()))));
  }
}

/**
 * Releases a lock taken with {@link lockFile} (closing the descriptor releases it too).
 *
 * @param fd - the descriptor
 */
export function unlockFile(fd: number): void {
  locks()?.unlock(fd);
}
