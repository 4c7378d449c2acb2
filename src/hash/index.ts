/**
 * The hash core: one streaming interface (`create().update(chunk).digest()`, as @noble/hashes) with
 * two back ends, node:crypto (native, SHA-NI) where present and @noble/hashes elsewhere.
 *
 * @module
 */
import { sha224, sha256, sha384, sha512, sha512_224, sha512_256 } from '@noble/hashes/sha2.js';
import { sifError } from '../errors.js';
import { nodeBuiltin } from '../runtime.js';

/** Digest algorithms, by the names the reference writes in digest strings. */
export type HashAlgorithm = 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'sha512_224' | 'sha512_256';

/** Every algorithm name the reference accepts in signed metadata. */
export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['sha224', 'sha256', 'sha384', 'sha512', 'sha512_224', 'sha512_256'];

/** Digest sizes in bytes. */
export const DIGEST_SIZE: Readonly<Record<HashAlgorithm, number>> = {
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
  sha512_224: 28,
  sha512_256: 32,
};

/** A running hash. */
export interface Hasher {
  /** Feeds bytes; returns the same hasher. */
  update(chunk: Uint8Array): Hasher;
  /** Finishes and returns the digest; the hasher cannot be used afterwards. */
  digest(): Uint8Array;
}

/** A hash back end. */
export interface HashBackend {
  /** Back end name (`node`, `noble`). */
  readonly name: string;
  /** Starts a hash. */
  create(alg: HashAlgorithm): Hasher;
  /**
   * Optional one-shot digest for ranges up to {@link HashBackend.oneShotLimit} bytes, which are then
   * read whole (WebCrypto's `digest` has no streaming form).
   */
  digestOnce?(alg: HashAlgorithm, data: Uint8Array): Promise<Uint8Array>;
  /** Largest range given to `digestOnce`. */
  oneShotLimit?: number;
}

const nobleFns = { sha224, sha256, sha384, sha512, sha512_224, sha512_256 } as const;

/** The pure-JS back end (@noble/hashes): works in every runtime. */
export const nobleBackend: HashBackend = {
  name: 'noble',
  create(alg) {
    const h = nobleFns[alg].create();
    const hasher: Hasher = {
      update(chunk) {
        h.update(chunk);
        return hasher;
      },
      digest: () => h.digest(),
    };
    return hasher;
  },
};

/** The part of node:crypto the hash back end uses. */
export interface NodeCryptoLike {
  /** Starts a hash by OpenSSL name. */
  createHash(alg: string): NodeHashLike;
}

/** A node:crypto `Hash`, as much of it as the back end uses. */
export interface NodeHashLike {
  /** Adds bytes. */
  update(b: Uint8Array): unknown;
  /** Finishes. */
  digest(): Uint8Array;
}

/** node:crypto (OpenSSL) names of the algorithms. */
export const NODE_HASH_NAMES: Readonly<Record<HashAlgorithm, string>> = {
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
};

/**
 * Builds the node:crypto back end from a loaded `node:crypto` module.
 *
 * @param crypto - the module
 * @returns the back end
 */
export function nodeBackendFrom(crypto: NodeCryptoLike): HashBackend {
  return {
    name: 'node',
    create(alg) {
      const h = crypto.createHash(NODE_HASH_NAMES[alg]);
      const hasher: Hasher = {
        update(chunk) {
          h.update(chunk);
          return hasher;
        },
        digest: () => {
          const d = h.digest();
          return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
        },
      };
      return hasher;
    },
  };
}

// Node's crypto without an import statement (the portable entry imports nothing from node:).
const nodeCrypto = nodeBuiltin<NodeCryptoLike>('node:crypto');

const forced = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.SIFKIT_HASH_BACKEND;
/** The default: node:crypto when present, unless `SIFKIT_HASH_BACKEND=noble` asks for the portable one. */
let current: HashBackend = nodeCrypto && forced !== 'noble' ? nodeBackendFrom(nodeCrypto) : nobleBackend;

/** The back end in use: node:crypto when present, else @noble/hashes. */
export function hashBackend(): HashBackend {
  return current;
}

/**
 * Overrides the back end (for tests, benchmarks, or a runtime with a better native hash).
 *
 * @param backend - the back end, or `'auto'` to restore the default
 */
export function setHashBackend(backend: HashBackend | 'auto'): void {
  current = backend === 'auto' ? (nodeCrypto ? nodeBackendFrom(nodeCrypto) : nobleBackend) : backend;
}

/**
 * Starts a hash with the current back end.
 *
 * @param alg - the algorithm
 * @returns a hasher
 */
export function createHash(alg: HashAlgorithm): Hasher {
  return current.create(alg);
}

/**
 * One-shot digest.
 *
 * @param alg - the algorithm
 * @param data - the bytes
 * @returns the digest
 */
export function digestBytes(alg: HashAlgorithm, ...data: Uint8Array[]): Uint8Array {
  const h = createHash(alg);
  for (const d of data) h.update(d);
  return h.digest();
}

/**
 * Checks an algorithm name from untrusted input.
 *
 * @param name - a name such as `sha256`
 * @returns the algorithm
 * @throws SifError `HASH_UNSUPPORTED`
 */
export function parseHashAlgorithm(name: string): HashAlgorithm {
  if ((HASH_ALGORITHMS as readonly string[]).includes(name)) return name as HashAlgorithm;
  throw sifError('HASH_UNSUPPORTED', 'hash algorithm unsupported');
}

/**
 * Lower-case hex of bytes.
 *
 * @param b - bytes
 * @returns hex text
 */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/**
 * Decodes hex text; undefined when it is not valid hex of even length.
 *
 * @param s - hex text (either case)
 * @returns bytes or undefined
 */
export function fromHex(s: string): Uint8Array | undefined {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Concatenates byte arrays.
 *
 * @param parts - the arrays
 * @returns one array
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
