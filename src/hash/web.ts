/**
 * The hash back end for browsers and other runtimes without node:crypto: SHA-2 compiled to
 * WebAssembly (hash-wasm) for streamed digests, and WebCrypto's one-shot `digest` for ranges small
 * enough to hold in memory.
 *
 * Chosen by measurement (`npm run bench -- --web`, SHA-256 in Chromium 156 headless on a 2-core CI
 * machine): @noble/hashes streams at ~67 MiB/s, hash-wasm at ~290 MiB/s, WebCrypto at ~600-890
 * MiB/s in 64 MiB one-shot calls — but WebCrypto has no streaming interface, so it only fits
 * objects that may be read whole. Large objects therefore stream through hash-wasm and never sit in
 * memory; objects up to 64 MiB (signatures, metadata, small partitions) take the faster path.
 *
 * hash-wasm instances are created asynchronously; sifkit's {@link Hasher} is synchronous, so the back
 * end keeps a small pool of ready instances per algorithm, refilled in the background. Should the
 * pool ever be empty, a hash runs on @noble/hashes instead (same digest, slower).
 *
 * @module
 */
import { createSHA224, createSHA256, createSHA384, createSHA512, type IHasher } from 'hash-wasm';
import { nobleBackend, type HashAlgorithm, type HashBackend, type Hasher } from './index.js';

/** Options of {@link webHashBackend}. */
export interface WebHashOptions {
  /** Ready WebAssembly instances kept per algorithm (default 4). */
  pool?: number;
  /**
   * Largest range (bytes) hashed with WebCrypto's one-shot digest after reading it whole (default
   * 64 MiB; 0 disables WebCrypto).
   */
  oneShotLimit?: number;
}

const makers: Partial<Record<HashAlgorithm, () => Promise<IHasher>>> = {
  sha224: createSHA224,
  sha256: createSHA256,
  sha384: createSHA384,
  sha512: createSHA512,
};

const subtleNames: Partial<Record<HashAlgorithm, string>> = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

/**
 * Builds the browser back end (hash-wasm streamed, WebCrypto one-shot); install it with
 * `setHashBackend`. Portable: works wherever WebAssembly does, WebCrypto is used when present.
 *
 * @param options - pool size and one-shot limit
 * @returns the back end, its pools filled
 */
export async function webHashBackend(options: WebHashOptions = {}): Promise<HashBackend> {
  const poolSize = Math.max(1, Math.floor(options.pool ?? 4));
  const limit = Math.max(0, options.oneShotLimit ?? 64 << 20);
  const pools = new Map<HashAlgorithm, IHasher[]>();
  const refill = (alg: HashAlgorithm): Promise<void> => {
    const make = makers[alg]!;
    const pool = pools.get(alg)!;
    return make().then((h) => {
      if (pool.length < poolSize) pool.push(h);
    });
  };
  await Promise.all(
    (Object.keys(makers) as HashAlgorithm[]).map((alg) => {
      pools.set(alg, []);
      return Promise.all(Array.from({ length: poolSize }, () => refill(alg)));
    }),
  );
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  const backend: HashBackend = {
    name: 'wasm',
    create(alg) {
      const w = pools.get(alg)?.pop();
      if (!w) return nobleBackend.create(alg);
      refill(alg).catch(() => undefined);
      w.init();
      const hasher: Hasher = {
        update(chunk) {
          w.update(chunk);
          return hasher;
        },
        digest() {
          const d = w.digest('binary');
          const pool = pools.get(alg)!;
          if (pool.length < poolSize) pool.push(w);
          return d;
        },
      };
      return hasher;
    },
  };
  if (subtle && limit > 0) {
    backend.oneShotLimit = limit;
    backend.digestOnce = async (alg, data) => {
      const name = subtleNames[alg];
      if (!name) return backend.create(alg).update(data).digest();
      return new Uint8Array(await subtle.digest(name, data as Uint8Array<ArrayBuffer>));
    };
  }
  return backend;
}
