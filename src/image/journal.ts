/**
 * Undo journal for in-place edits: every write first saves the bytes it overwrites (inside the
 * file's original length), so a failure half-way can put the file back exactly as it was.
 *
 * @module
 */
import { BytesStore, type ByteStore } from '../io/source.js';

/** Makes a scratch store for saved bytes (a temporary file on Node; memory elsewhere). */
export type ScratchFactory = () => Promise<ByteStore & { dispose?(): Promise<void> }>;

/** Default scratch: memory. */
export const memoryScratch: ScratchFactory = async () => new BytesStore();

const SAVE_CHUNK = 1 << 20;

/** A write journal over one store. */
export class WriteJournal {
  readonly #store: ByteStore;
  readonly #originalSize: number;
  readonly #scratchFactory: ScratchFactory;
  #scratch: (ByteStore & { dispose?(): Promise<void> }) | undefined;
  #scratchEnd = 0;
  readonly #undo: { offset: number; length: number; at: number }[] = [];

  /**
   * @param store - the store being edited
   * @param scratch - where saved bytes go
   */
  constructor(store: ByteStore, scratch: ScratchFactory = memoryScratch) {
    this.#store = store;
    this.#originalSize = store.size;
    this.#scratchFactory = scratch;
  }

  async #save(offset: number, length: number): Promise<void> {
    const end = Math.min(offset + length, this.#originalSize);
    if (end <= offset) return;
    this.#scratch ??= await this.#scratchFactory();
    for (let pos = offset; pos < end; pos += SAVE_CHUNK) {
      const n = Math.min(SAVE_CHUNK, end - pos);
      const old = await this.#store.read(pos, n);
      await this.#scratch.write(this.#scratchEnd, old);
      this.#undo.push({ offset: pos, length: n, at: this.#scratchEnd });
      this.#scratchEnd += n;
    }
  }

  /**
   * Writes bytes, saving what they replace.
   *
   * @param offset - file offset
   * @param data - the bytes
   */
  async write(offset: number, data: Uint8Array): Promise<void> {
    await this.#save(offset, data.length);
    await this.#store.write(offset, data);
  }

  /**
   * Overwrites a range with zeros in chunks, saving what it replaces.
   *
   * @param offset - file offset
   * @param length - byte count
   */
  async zero(offset: number, length: number): Promise<void> {
    const zeros = new Uint8Array(Math.min(SAVE_CHUNK, length));
    for (let pos = 0; pos < length; pos += zeros.length) {
      const n = Math.min(zeros.length, length - pos);
      await this.write(offset + pos, zeros.subarray(0, n));
    }
  }

  /**
   * Cuts the file. Must be the last step of an edit: bytes it removes are not saved.
   *
   * @param size - new size
   */
  async truncate(size: number): Promise<void> {
    await this.#store.truncate(size);
  }

  /** Finishes the edit: flushes the store and drops the saved bytes. */
  async commit(): Promise<void> {
    await this.#store.sync();
    await this.#dispose();
  }

  /** Puts every saved byte back and restores the original length. */
  async rollback(): Promise<void> {
    try {
      for (let i = this.#undo.length - 1; i >= 0; i--) {
        const u = this.#undo[i]!;
        await this.#store.write(u.offset, await this.#scratch!.read(u.at, u.length));
      }
      if (this.#store.size !== this.#originalSize) await this.#store.truncate(this.#originalSize);
      await this.#store.sync();
    } finally {
      await this.#dispose();
    }
  }

  async #dispose(): Promise<void> {
    const s = this.#scratch;
    this.#scratch = undefined;
    if (s) {
      await s.close();
      await s.dispose?.();
    }
  }
}
