/**
 * Node.js file implementation of {@link ByteStore}.
 *
 * @module
 */
import { constants } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { isSifError, sifError } from '../errors.js';
import type { DurableLog, EditLogProvider } from '../image/journal.js';
import { checkRange, type ByteStore } from './source.js';
// A cycle by design: the journal writes through FileStore, and FileStore's default edit log is the
// journal. Both are used only inside functions, after both modules have loaded.
import { fileJournal } from './durable.js';

/** How {@link FileStore.open} opens a file. */
export type OpenMode = 'r' | 'r+' | 'w+' | 'wx+';

/** Options for {@link FileStore.open}. */
export interface FileStoreOptions {
  /** Permission bits of a file this call creates (before the umask). Default 0o666, as siftool. */
  createMode?: number;
  /** Refuse to open a symbolic link (O_NOFOLLOW). */
  noFollow?: boolean;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EFBIG: 'file too large',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  ENOENT: 'no such file or directory',
  EBADF: 'bad file descriptor',
  ELOOP: 'is a symbolic link',
  EEXIST: 'file exists',
};

/**
 * A failed system call as a one-line `IO_ERROR` in Go's wording (`write image.sif: no space left on
 * device`), with the Node error as its cause.
 *
 * @param op - what was done (`open`, `read`, `write`, `truncate`, `sync`)
 * @param path - the file
 * @param e - the Node error
 * @returns the error (a SifError passes through)
 */
export function ioError(op: string, path: string, e: unknown): Error {
  if (isSifError(e)) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const text = (code && ERRNO_TEXT[code]) ?? (e instanceof Error ? e.message : String(e));
  return sifError('IO_ERROR', `${op} ${path}: ${text}`, { cause: e });
}

/**
 * Reads a whole (small) file — a key, a passphrase — with Go's wording on failure
 * (`open x.asc: no such file or directory`, `read dir: is a directory`).
 *
 * @param path - the file
 * @returns its bytes
 * @throws SifError `IO_ERROR`
 */
export async function readSmallFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw ioError((e as NodeJS.ErrnoException).code === 'EISDIR' ? 'read' : 'open', path, e);
  }
}

/**
 * The errno code behind an error (also through an `IO_ERROR`'s cause).
 *
 * @param e - an error
 * @returns the code, e.g. `ENOENT`
 */
export function errnoCode(e: unknown): string | undefined {
  const x = e as { code?: unknown; cause?: { code?: unknown } } | undefined;
  if (typeof x?.cause?.code === 'string') return x.cause.code;
  return typeof x?.code === 'string' && /^E[A-Z]+$/.test(x.code) ? x.code : undefined;
}

/** Makes the undo log of an edit of a file store; set by the Node entry (see `io/durable`). */
export type EditLogFactory = (store: FileStore) => DurableLog;

const FLAGS: Record<OpenMode, number> = {
  r: constants.O_RDONLY,
  'r+': constants.O_RDWR,
  'w+': constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC,
  'wx+': constants.O_RDWR | constants.O_CREAT | constants.O_EXCL,
};

/** A {@link ByteStore} over a Node `FileHandle`. */
export class FileStore implements ByteStore, EditLogProvider {
  #size: number;
  /** The undo log edits of this file use by default (the Node entry sets a crash journal). */
  editLogFactory: EditLogFactory | undefined;

  private constructor(
    /** The open file (its `fd` is shared with hashing workers). */
    readonly handle: FileHandle,
    size: number,
    /** The file's path. */
    readonly path: string,
    /** Whether it was opened for writing. */
    readonly writable: boolean,
  ) {
    this.#size = size;
  }

  /**
   * Opens a file.
   *
   * @param path - the file
   * @param mode - `r` read-only, `r+` read-write, `w+` create or truncate, `wx+` create exclusively
   * @param opts - mode of a created file, symlink refusal
   * @returns the store
   */
  static async open(path: string, mode: OpenMode = 'r', opts: FileStoreOptions = {}): Promise<FileStore> {
    const flags = FLAGS[mode] | (opts.noFollow ? constants.O_NOFOLLOW : 0);
    const handle = await open(path, flags, opts.createMode ?? 0o666).catch((e: unknown) => {
      throw ioError('open', path, e);
    });
    try {
      const st = await handle.stat();
      if (st.isDirectory()) throw sifError('IO_ERROR', `${path}: is a directory`);
      return new FileStore(handle, st.size, path, mode !== 'r');
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  get size(): number {
    return this.#size;
  }

  /**
   * A durable log for one edit (see {@link EditLogProvider}): `editLogFactory` when set, else a crash
   * journal beside the file.
   */
  editLog(): DurableLog {
    return (this.editLogFactory ?? fileJournal)(this);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.#size, offset, length);
    const buf = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) throw sifError('TRUNCATED', `${this.path}: unexpected end of file at ${offset + done}`);
      done += bytesRead;
    }
    return buf;
  }

  async readInto(buffer: Uint8Array, offset: number): Promise<number> {
    let done = 0;
    while (done < buffer.length) {
      const { bytesRead } = await this.handle.read(buffer, done, buffer.length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done;
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    let done = 0;
    try {
      const short = injectFault('write');
      if (short) {
        // A short write: part of the buffer reaches the file, then the device fails.
        done = (await this.handle.write(data, 0, Math.max(1, data.length >> 1), offset)).bytesWritten;
        throw ioFault('ENOSPC', 'write');
      }
      while (done < data.length) {
        const { bytesWritten } = await this.handle.write(data, done, data.length - done, offset + done);
        done += bytesWritten;
      }
      this.#size = Math.max(this.#size, offset + data.length);
    } catch (e) {
      // Part of the data may have landed and grown the file: learn the real size, so a rollback
      // cuts it back.
      await this.#restat();
      throw ioError('write', this.path, e);
    }
  }

  async truncate(size: number): Promise<void> {
    try {
      injectFault('truncate');
      await this.handle.truncate(size);
      this.#size = size;
    } catch (e) {
      await this.#restat();
      throw ioError('truncate', this.path, e);
    }
  }

  /** Re-reads the file's size (after waiting for a lock, another process may have changed it). */
  async refreshSize(): Promise<void> {
    this.#size = (await this.handle.stat()).size;
  }

  async #restat(): Promise<void> {
    try {
      this.#size = (await this.handle.stat()).size;
    } catch {
      // keep the last known size
    }
  }

  async sync(): Promise<void> {
    try {
      injectFault('sync');
      await this.handle.sync();
    } catch (e) {
      throw ioError('sync', this.path, e);
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

function ioFault(code: 'ENOSPC' | 'EIO', op: string): Error {
  const text = code === 'ENOSPC' ? 'no space left on device' : 'i/o error';
  return Object.assign(new Error(`${code}: ${text}, ${op} (injected)`), { code, syscall: op });
}

let mutations = 0;
/**
 * Fault injection for crash-safety tests: `SIFKIT_FAULT_INJECT=<kill|enospc|eio|short>@<n>` makes the
 * n-th write, truncate or sync of any file store in the process kill the process (SIGKILL), fail with
 * ENOSPC / EIO, or (`short`, writes only) write part of its buffer and then fail with ENOSPC. Unset in
 * normal use.
 *
 * @returns true when the caller must perform a short write and fail
 */
function injectFault(op: 'write' | 'truncate' | 'sync'): boolean {
  const spec = process.env.SIFKIT_FAULT_INJECT;
  if (!spec) return false;
  const m = /^(kill|enospc|eio|short)@(\d+)$/.exec(spec);
  if (!m) return false;
  mutations++;
  if (mutations !== Number(m[2])) return false;
  if (m[1] === 'kill') process.kill(process.pid, 'SIGKILL');
  if (m[1] === 'short') {
    if (op === 'write') return true;
    throw ioFault('ENOSPC', op);
  }
  throw ioFault(m[1] === 'enospc' ? 'ENOSPC' : 'EIO', op);
}
