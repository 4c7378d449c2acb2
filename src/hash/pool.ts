/**
 * A pool of worker threads that hash byte ranges of an open file (Node only). Reading and hashing a
 * large object then runs on its own core, in parallel with other objects and with the main thread's
 * work (loading the OpenPGP engine, checking signatures). Workers read through the same file
 * descriptor as the caller (worker threads share it), so they hash exactly the file that was loaded.
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { sifError } from '../errors.js';
import { NODE_HASH_NAMES, type HashAlgorithm } from './index.js';
import { HASH_CHUNK, type ProgressFn } from './stream.js';

// The worker is plain JavaScript evaluated from a string, so it runs the same from src and dist.
const WORKER = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const read = (fd, buf, n, pos) => new Promise((res, rej) => fs.read(fd, buf, 0, n, pos, (e, got) => (e ? rej(e) : res(got))));
let bufs;
parentPort.on('message', async ({ id, fd, offset, length, alg, chunk }) => {
  try {
    if (!bufs || bufs[0].length !== chunk) bufs = [Buffer.allocUnsafe(chunk), Buffer.allocUnsafe(chunk)];
    const h = crypto.createHash(alg);
    let pos = 0, which = 0, reported = 0;
    const next = (p, b) => read(fd, b, Math.min(b.length, length - p), offset + p).then((n) => ({ n, b }));
    let pending = length > 0 ? next(0, bufs[0]) : null;
    while (pos < length) {
      const { n, b } = await pending;
      if (n === 0) throw new Error('unexpected end of file at offset ' + (offset + pos));
      pos += n;
      which ^= 1;
      if (pos < length) pending = next(pos, bufs[which]);
      h.update(n === b.length ? b : b.subarray(0, n));
      if (pos - reported >= 32 * 1048576 || pos === length) { parentPort.postMessage({ id, progress: pos }); reported = pos; }
    }
    parentPort.postMessage({ id, digest: h.digest() });
  } catch (e) {
    parentPort.postMessage({ id, error: String(e && e.message || e) });
  }
});
`;

interface Job {
  id: number;
  fd: number;
  offset: number;
  length: number;
  alg: HashAlgorithm;
  onProgress: ProgressFn | undefined;
  resolve: (d: Uint8Array) => void;
  reject: (e: unknown) => void;
}

/** A fixed-size pool of hashing workers. */
export class HashPool {
  /** Number of workers (0 = none: callers hash inline). */
  readonly size: number;
  #workers: { worker: Worker; job: Job | undefined }[] = [];
  #queue: Job[] = [];
  #next = 1;
  #closed = false;

  /** @param size - number of workers (default: the machine's cores, at most 4) */
  constructor(size: number = Math.min(4, availableParallelism())) {
    this.size = Number.isFinite(size) ? Math.max(0, Math.floor(size)) : 0;
  }

  #spawn(): { worker: Worker; job: Job | undefined } {
    const slot: { worker: Worker; job: Job | undefined } = { worker: new Worker(WORKER, { eval: true }), job: undefined };
    slot.worker.unref();
    slot.worker.on('message', (m: { id: number; progress?: number; digest?: Uint8Array; error?: string }) => {
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      if (m.progress !== undefined) {
        job.onProgress?.(m.progress);
        return;
      }
      slot.job = undefined;
      if (m.error !== undefined) job.reject(sifError('IO_ERROR', `hashing ${job.length} bytes at ${job.offset}: ${m.error}`));
      else job.resolve(new Uint8Array(m.digest!.buffer, m.digest!.byteOffset, m.digest!.byteLength));
      this.#pump();
    });
    slot.worker.on('error', (e) => {
      const job = slot.job;
      slot.job = undefined;
      this.#workers = this.#workers.filter((w) => w !== slot);
      job?.reject(e);
      this.#pump();
    });
    this.#workers.push(slot);
    return slot;
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let slot = this.#workers.find((w) => w.job === undefined);
      if (!slot && this.#workers.length < this.size) slot = this.#spawn();
      if (!slot) return;
      const job = this.#queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, fd: job.fd, offset: job.offset, length: job.length, alg: NODE_HASH_NAMES[job.alg], chunk: HASH_CHUNK });
    }
    for (const w of this.#workers) if (!w.job) w.worker.unref();
  }

  /**
   * Hashes `length` bytes at `offset` of an open file descriptor.
   *
   * @param fd - an open file descriptor (shared with the workers)
   * @param offset - start
   * @param length - byte count
   * @param alg - algorithm
   * @param onProgress - running byte count of this range
   * @returns the digest
   */
  digest(fd: number, offset: number, length: number, alg: HashAlgorithm, onProgress?: ProgressFn): Promise<Uint8Array> {
    if (this.#closed) return Promise.reject(sifError('IO_ERROR', 'hash pool closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#next++, fd, offset, length, alg, onProgress, resolve, reject });
      this.#pump();
    });
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const j of this.#queue) j.reject(sifError('IO_ERROR', 'hash pool closed'));
    this.#queue = [];
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
    this.#workers = [];
  }
}
