// A ByteSource over the reader worker (reader.ts): the same bytes as BlobSource, read on another
// thread. Used for hashing; small reads (header, descriptors, signatures) go the same way.
import { sifError, type ByteSource } from '../../src/index.js';
import { checkRange } from '../../src/io/source.js';
import type { ReadReply, ReadRequest } from './messages.js';

/** Reads a file through the reader worker's port. */
export class PortSource implements ByteSource {
  #next = 0;
  readonly #waiting = new Map<number, { resolve(b: ArrayBuffer): void; reject(e: Error): void }>();

  constructor(
    readonly port: MessagePort,
    readonly file: File,
  ) {
    port.addEventListener('message', (ev: MessageEvent<ReadReply>) => {
      const w = this.#waiting.get(ev.data.id);
      if (!w) return;
      this.#waiting.delete(ev.data.id);
      if ('buf' in ev.data) w.resolve(ev.data.buf);
      else w.reject(sifError('IO_ERROR', `read ${file.name}: ${ev.data.error}`));
    });
    port.start();
    port.postMessage({ type: 'file', file } satisfies ReadRequest);
  }

  get size(): number {
    return this.file.size;
  }

  #get(offset: number, length: number): Promise<ArrayBuffer> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.port.postMessage({ type: 'read', id, offset, length } satisfies ReadRequest);
    });
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.size, offset, length);
    return new Uint8Array(await this.#get(offset, length));
  }

  async readInto(buffer: Uint8Array, offset: number): Promise<number> {
    const end = Math.min(this.size, offset + buffer.length);
    if (end <= offset) return 0;
    const part = new Uint8Array(await this.#get(offset, end - offset));
    buffer.set(part);
    return part.length;
  }

  async close(): Promise<void> {}
}
