/**
 * Node.js file implementation of {@link ByteStore}.
 *
 * @module
 */
import { open, type FileHandle } from 'node:fs/promises';
import { sifError } from '../errors.js';
import { checkRange, type ByteStore } from './source.js';

/** A {@link ByteStore} over a Node `FileHandle`. */
export class FileStore implements ByteStore {
  #size: number;

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
   * @param mode - `r` read-only, `r+` read-write, `w+` create or truncate
   * @returns the store
   */
  static async open(path: string, mode: 'r' | 'r+' | 'w+' | 'wx+' = 'r'): Promise<FileStore> {
    const handle = await open(path, mode, 0o755);
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
    injectFault('write');
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.handle.write(data, done, data.length - done, offset + done);
      done += bytesWritten;
    }
    this.#size = Math.max(this.#size, offset + data.length);
  }

  async truncate(size: number): Promise<void> {
    injectFault('truncate');
    await this.handle.truncate(size);
    this.#size = size;
  }

  async sync(): Promise<void> {
    injectFault('sync');
    await this.handle.sync();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

let mutations = 0;
/**
 * Fault injection for crash-safety tests: `SIFKIT_FAULT_INJECT=<kill|enospc|eio>@<n>` makes the n-th
 * write, truncate or sync of any file store in the process kill the process (SIGKILL) or fail with
 * ENOSPC / EIO. Unset in normal use.
 */
function injectFault(op: string): void {
  const spec = process.env.SIFKIT_FAULT_INJECT;
  if (!spec) return;
  const m = /^(kill|enospc|eio)@(\d+)$/.exec(spec);
  if (!m) return;
  mutations++;
  if (mutations !== Number(m[2])) return;
  if (m[1] === 'kill') process.kill(process.pid, 'SIGKILL');
  const code = m[1] === 'enospc' ? 'ENOSPC' : 'EIO';
  throw Object.assign(new Error(`${code}: ${code === 'ENOSPC' ? 'no space left on device' : 'i/o error'}, ${op} (injected)`), { code });
}
