/**
 * Undo journal for in-place edits: every write first saves the bytes it overwrites (inside the
 * file's original length), so a failure half-way can put the file back exactly as it was.
 *
 * @module
 */
import { BytesStore, type ByteStore } from '../io/source.js';
import { structureDigest, zeroFillReader } from './identity.js';

/** Makes a scratch store for saved bytes (a temporary file on Node; memory elsewhere). */
export type ScratchFactory = () => Promise<
  ByteStore & {
    /** Removes the scratch store's backing file, if any. */
    dispose?(): Promise<void>;
  }
>;

/** Default scratch: memory. */
export const memoryScratch: ScratchFactory = async () => new BytesStore();

/** What a durable log binds itself to when an edit begins. */
export interface EditStart {
  /** The file's size before the edit. */
  originalSize: number;
  /** SHA-256 of the header and descriptor table before the edit (see `image/identity`). */
  structure: Uint8Array;
}

/**
 * A store that chooses its own undo log for edits (a Node file: a crash journal beside it). Edits
 * use it unless the caller passes `durable` or `scratch`.
 */
export interface EditLogProvider {
  /** A fresh durable log for one edit of this store. */
  editLog(): DurableLog;
}

/**
 * The store's own undo log, when it has one.
 *
 * @param store - a store
 * @returns its log, or undefined
 */
export function defaultEditLog(store: ByteStore): DurableLog | undefined {
  const p = store as Partial<EditLogProvider>;
  return typeof p.editLog === 'function' ? p.editLog() : undefined;
}

/**
 * A durable record of an edit, for crash safety: the original size and the original bytes of every
 * region about to be overwritten are made durable before the overwrite, then a commit mark. After a
 * crash, recovery rolls back an uncommitted edit (restore, cut to the original size) or finishes a
 * committed one (the pending cut), so the file is the original or the complete new one.
 */
export interface DurableLog {
  /** Starts the log, bound to the file's original size and structure (durable on return). */
  begin(start: EditStart): Promise<void>;
  /**
   * Records original bytes at `offset` (durable on return, before they are overwritten).
   *
   * @returns where the bytes are in the log, for {@link DurableLog.read}
   */
  record(offset: number, data: Uint8Array): Promise<number>;
  /** Reads recorded bytes back (an in-process rollback then needs no other copy). */
  read?(at: number, length: number): Promise<Uint8Array>;
  /**
   * Marks the edit committed, with the final size to cut to (or -1) and the structure digest of the
   * edited file, durable on return.
   */
  commit(finalSize: number, structure: Uint8Array): Promise<void>;
  /** Removes the log (after the edit is complete or rolled back). */
  finish(): Promise<void>;
}

const SAVE_CHUNK = 1 << 20;

/** A write journal over one store. */
export class WriteJournal {
  readonly #store: ByteStore;
  readonly #originalSize: number;
  readonly #scratchFactory: ScratchFactory;
  #scratch: (ByteStore & { dispose?(): Promise<void> }) | undefined;
  #scratchEnd = 0;
  readonly #undo: { offset: number; length: number; at: number }[] = [];
  readonly #durable: DurableLog | undefined;
  #begun = false;
  #committed = false;
  #finalSize = -1;

  /**
   * @param store - the store being edited
   * @param scratch - where saved bytes go
   * @param durable - a durable log for crash safety (the Node entry keeps one beside the file)
   */
  constructor(store: ByteStore, scratch: ScratchFactory = memoryScratch, durable?: DurableLog) {
    this.#store = store;
    this.#originalSize = store.size;
    this.#scratchFactory = scratch;
    this.#durable = durable;
  }

  async #begin(): Promise<void> {
    if (this.#begun) return;
    this.#begun = true;
    if (!this.#durable) return;
    const structure = await structureDigest(zeroFillReader(this.#store), this.#originalSize);
    await this.#durable.begin({ originalSize: this.#originalSize, structure });
  }

  async #save(offset: number, length: number): Promise<void> {
    await this.#begin();
    const end = Math.min(offset + length, this.#originalSize);
    if (end <= offset) return;
    // With a readable durable log the saved bytes live only there; otherwise in the scratch store.
    const inLog = this.#durable?.read !== undefined;
    if (!inLog) this.#scratch ??= await this.#scratchFactory();
    for (let pos = offset; pos < end; pos += SAVE_CHUNK) {
      const n = Math.min(SAVE_CHUNK, end - pos);
      const old = await this.#store.read(pos, n);
      const logAt = await this.#durable?.record(pos, old);
      if (inLog) {
        this.#undo.push({ offset: pos, length: n, at: logAt! });
        continue;
      }
      await this.#scratch!.write(this.#scratchEnd, old);
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
   * @param each - called after each chunk with its length (progress, abort checks)
   */
  async zero(offset: number, length: number, each?: (bytes: number) => void): Promise<void> {
    const zeros = new Uint8Array(Math.min(SAVE_CHUNK, length));
    for (let pos = 0; pos < length; pos += zeros.length) {
      const n = Math.min(zeros.length, length - pos);
      await this.write(offset + pos, zeros.subarray(0, n));
      each?.(n);
    }
  }

  /**
   * Cuts the file when the edit commits (after the commit mark, so a crash in between finishes the
   * cut rather than leaving the removed bytes unrecoverable).
   *
   * @param size - new size
   */
  async truncate(size: number): Promise<void> {
    await this.#begin();
    this.#finalSize = size;
  }

  /** Finishes the edit: flushes the store, marks the log committed, makes the pending cut, drops saved bytes. */
  async commit(): Promise<void> {
    await this.#store.sync();
    if (this.#begun && this.#durable) {
      const size = this.#finalSize >= 0 ? Math.min(this.#finalSize, this.#store.size) : this.#store.size;
      await this.#durable.commit(this.#finalSize, await structureDigest(zeroFillReader(this.#store), size));
    }
    // From here on the edit is complete: a failure below is finished forward, never rolled back.
    this.#committed = true;
    if (this.#finalSize >= 0) {
      await this.#store.truncate(this.#finalSize);
      await this.#store.sync();
    }
    if (this.#begun) await this.#durable?.finish();
    await this.#dispose();
  }

  /**
   * Puts every saved byte back and restores the original length — or, when the edit had already
   * committed, finishes it (the pending cut); if even that fails, the durable log stays for recovery.
   */
  async rollback(): Promise<void> {
    if (this.#committed) {
      try {
        if (this.#finalSize >= 0) await this.#store.truncate(this.#finalSize);
        await this.#store.sync();
        await this.#durable?.finish();
      } catch {
        // left for recovery at the next open
      } finally {
        await this.#dispose();
      }
      return;
    }
    try {
      for (let i = this.#undo.length - 1; i >= 0; i--) {
        const u = this.#undo[i]!;
        const saved = this.#scratch ? await this.#scratch.read(u.at, u.length) : await this.#durable!.read!(u.at, u.length);
        await this.#store.write(u.offset, saved);
      }
      if (this.#store.size !== this.#originalSize) await this.#store.truncate(this.#originalSize);
      await this.#store.sync();
      if (this.#begun) await this.#durable?.finish();
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
