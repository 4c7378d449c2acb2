/**
 * Object digests for signing and verification: computed once per (object, algorithm), optionally by
 * an external hasher (the Node worker pool) and optionally started early ("prefetched") so hashing
 * overlaps the signature checks. Results are used in the reference's order, whatever order they
 * finish in.
 *
 * @module
 */
import type { HashAlgorithm } from '../hash/index.js';
import { digestRange, type ProgressFn } from '../hash/stream.js';
import type { ObjectDescriptor, SifImage } from '../image/image.js';
import { sifError } from '../errors.js';
import { throwIfAborted } from '../options.js';

/** Something that can hash an object's data elsewhere (another thread, another process). */
export interface ObjectHasher {
  /**
   * @returns the digest, or undefined to have sifkit hash inline
   */
  digest(img: SifImage, d: ObjectDescriptor, alg: HashAlgorithm, onProgress?: ProgressFn): Promise<Uint8Array> | undefined;
}

/** Digest cache with aggregated progress. */
export class DigestCache {
  readonly #cache = new Map<string, Promise<Uint8Array>>();
  readonly #progress = new Map<string, number>();
  #extra = 0;

  constructor(
    readonly img: SifImage,
    readonly hasher?: ObjectHasher,
    readonly onProgress?: ProgressFn,
    readonly signal?: AbortSignal,
  ) {}

  #report(key: string, n: number): void {
    this.#progress.set(key, n);
    if (!this.onProgress) return;
    let total = this.#extra;
    for (const v of this.#progress.values()) total += v;
    this.onProgress(total);
  }

  /** Counts bytes hashed outside the cache (legacy group digests). */
  addProgress(n: number): void {
    this.#extra += n;
    this.#report('', 0);
  }

  /**
   * Starts hashing objects with the external hasher, if there is one.
   *
   * @param objects - the objects
   * @param alg - algorithm
   */
  prefetch(objects: readonly ObjectDescriptor[], alg: HashAlgorithm): void {
    if (!this.hasher) return;
    for (const d of objects) this.#start(d, alg, true);
  }

  #start(d: ObjectDescriptor, alg: HashAlgorithm, externalOnly: boolean): Promise<Uint8Array> | undefined {
    const key = `${d.id}@${d.offset}+${d.size}:${alg}`;
    const hit = this.#cache.get(key);
    if (hit) return hit;
    const progress: ProgressFn = (n) => this.#report(key, n);
    let p = this.hasher?.digest(this.img, d, alg, progress);
    if (!p) {
      if (externalOnly) return undefined;
      // Inline hashing stops at the next chunk once the signal fires.
      const inline: ProgressFn = (n) => {
        throwIfAborted(this.signal, 'hashing');
        progress(n);
      };
      p = digestRange(alg, this.img.source, d.offset, d.size, inline);
    }
    p.catch(() => undefined); // a prefetch may never be awaited (verification stopped earlier)
    this.#cache.set(key, p);
    return p;
  }

  /**
   * The digest of an object's data.
   *
   * @param d - the object
   * @param alg - algorithm
   * @returns the digest
   */
  object(d: ObjectDescriptor, alg: HashAlgorithm): Promise<Uint8Array> {
    const p = this.#start(d, alg, false)!;
    const signal = this.signal;
    if (!signal) return p;
    // An external hasher cannot be interrupted: stop waiting for it instead.
    return Promise.race([
      p,
      new Promise<never>((_, reject) => {
        const fire = () => reject(sifError('ABORTED', 'hashing: aborted', { cause: signal.reason }));
        if (signal.aborted) fire();
        else signal.addEventListener('abort', fire, { once: true });
      }),
    ]);
  }
}
