/**
 * SquashFS decompressors, one per compressor id, each loaded only when an image uses it, each bounded:
 * a block that decompresses past its limit (8 KiB for metadata, the block size for data) is
 * `SQUASHFS_INVALID`, never an allocation the image chose.
 *
 * | id | name | decoder |
 * |---|---|---|
 * | 1 | gzip (zlib stream) | Node's zlib on Node (native), `fflate` elsewhere |
 * | 2 | lzma (lzma-alone) | `lzma` (LZMA-JS) |
 * | 3 | lzo (raw LZO1X) | hand-written, `lzo.ts` |
 * | 4 | xz (.xz stream) | `xz-decompress` (xz-embedded as WebAssembly) |
 * | 5 | lz4 (raw block) | hand-written, `lz4.ts` |
 * | 6 | zstd (frame) | `zstddec` (zstd as WebAssembly) |
 *
 * @module
 */
import { sifError } from '../errors.js';
import { concatBytes } from '../hash/index.js';
import { nodeBuiltin } from '../runtime.js';
import { lz4DecompressBlock } from './lz4.js';
import { lzo1xDecompress } from './lzo.js';

/** Decompresses one block into at most `limit` bytes. */
export type Decompress = (data: Uint8Array, limit: number) => Promise<Uint8Array>;

/** Compressor names by id, as `unsquashfs -s` prints them. */
export const COMPRESSORS: Readonly<Record<number, string>> = { 1: 'gzip', 2: 'lzma', 3: 'lzo', 4: 'xz', 5: 'lz4', 6: 'zstd' };

const tooBig = (name: string, limit: number): never => {
  throw sifError('SQUASHFS_INVALID', `${name} block decompresses past its ${limit}-byte limit`);
};
const corrupt = (name: string, e: unknown): never => {
  throw sifError('SQUASHFS_INVALID', `${name} block does not decompress: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
};

interface NodeZlib {
  inflateSync(data: Uint8Array, opts: { maxOutputLength: number; chunkSize: number }): Uint8Array;
}

async function gzip(): Promise<Decompress> {
  const zlib = nodeBuiltin<NodeZlib>('node:zlib');
  if (zlib) {
    // The synchronous call: zlib's asynchronous form runs on the thread pool but wraps every call in
    // a stream, which costs more than it gains on squashfs's small blocks (measured: 256 MiB in 0.31 s
    // instead of 0.45 s). chunkSize = the limit: one output buffer per block.
    return async (data, limit) => {
      try {
        const b = zlib.inflateSync(data, { maxOutputLength: Math.max(1, limit), chunkSize: Math.max(64, limit) });
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength); // a plain view: Node Buffers slice without copying
      } catch (e) {
        if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') tooBig('gzip', limit);
        return corrupt('gzip', e);
      }
    };
  }
  return portableGzip();
}

/**
 * The gzip (zlib stream) decoder used where there is no `node:zlib` (browsers): fflate, counted
 * against the limit as it inflates.
 *
 * @returns the decoder
 */
export async function portableGzip(): Promise<Decompress> {
  const { Unzlib } = await import('fflate');
  return async (data, limit) => streamed('gzip', limit, (push) => new Unzlib(push).push(data, true));
}

interface ZstdWasm {
  init(): Promise<void>;
  decode(array: Uint8Array, uncompressedSize?: number): Uint8Array;
}

async function zstd(): Promise<Decompress> {
  // zstddec: the reference zstd decoder compiled to WebAssembly (several times the pure-JS fzstd's speed).
  const { ZSTDDecoder } = (await import('zstddec')) as unknown as { ZSTDDecoder: new () => ZstdWasm };
  const dec = new ZSTDDecoder();
  await dec.init();
  return async (data, limit) => {
    // Decompressed into a buffer of the limit's size: the frame's own size field is never used. The
    // decoder turns ZSTD's result into a length without checking it: an error code (a corrupt frame,
    // or output past the limit) comes back as an empty or over-long array. No squashfs block is
    // empty, so both are errors.
    let out: Uint8Array;
    try {
      out = dec.decode(data, Math.max(1, limit));
    } catch (e) {
      return corrupt('zstd', e);
    }
    if (out.length === 0 || out.length > limit) corrupt('zstd', new Error(`not a valid frame, or more than ${limit} bytes`));
    return out;
  };
}

/** Runs a push-style decoder, counting its output against the limit. */
function streamed(name: string, limit: number, run: (push: (chunk: Uint8Array) => void) => void): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    run((chunk) => {
      size += chunk.length;
      if (size > limit) tooBig(name, limit);
      parts.push(chunk);
    });
  } catch (e) {
    if ((e as { code?: string }).code === 'SQUASHFS_INVALID') throw e;
    corrupt(name, e);
  }
  return join(parts);
}

interface XzModule {
  XzReadableStream: new (s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
}

async function xz(): Promise<Decompress> {
  const mod = (await import('xz-decompress')) as unknown as XzModule & { default?: XzModule };
  const XzReadableStream = (mod.default ?? mod).XzReadableStream;
  return async (data, limit) => {
    const parts: Uint8Array[] = [];
    let size = 0;
    try {
      const reader = new XzReadableStream(new Blob([data as Uint8Array<ArrayBuffer>]).stream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > limit) {
          await reader.cancel().catch(() => undefined);
          tooBig('xz', limit);
        }
        parts.push(value);
      }
    } catch (e) {
      if ((e as { code?: string }).code === 'SQUASHFS_INVALID') throw e;
      corrupt('xz', e);
    }
    return join(parts);
  };
}

async function lzma(): Promise<Decompress> {
  // lzma1: LZMA-JS's decoder as an ES module (LZMA-JS itself loads through a CommonJS path trick no
  // bundler follows, and answered text for bytes that happened to be UTF-8).
  const mod = await import('lzma1');
  return async (data, limit) => {
    // lzma-alone header: props (1), dictionary (4), uncompressed size (8, squashfs writes the real one).
    if (data.length < 13) corrupt('lzma', new Error('short header'));
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const size = v.getBigUint64(5, true);
    if (size > BigInt(limit)) tooBig('lzma', limit);
    let bytes: Uint8Array;
    try {
      bytes = mod.decompress(data);
    } catch (e) {
      return corrupt('lzma', e);
    }
    if (BigInt(bytes.length) !== size) corrupt('lzma', new Error(`got ${bytes.length} bytes, header says ${size}`));
    return bytes;
  };
}

/** The decoded chunks as one array (the only chunk itself, as most blocks come in one). */
const join = (parts: Uint8Array[]): Uint8Array => (parts.length === 1 ? parts[0]! : concatBytes(parts));

const LOADERS: Record<number, () => Promise<Decompress>> = {
  1: gzip,
  2: lzma,
  3: async () => async (data, limit) => lzo1xDecompress(data, limit),
  4: xz,
  5: async () => async (data, limit) => lz4DecompressBlock(data, limit),
  6: zstd,
};

const loaded = new Map<number, Promise<Decompress>>();

/**
 * The decompressor of a compressor id, loaded on first use.
 *
 * @param id - the superblock's compression id
 * @returns the decompressor
 * @throws SifError `UNSUPPORTED_COMPRESSION`
 */
export function decompressor(id: number): Promise<Decompress> {
  const load = LOADERS[id];
  if (!load) throw sifError('UNSUPPORTED_COMPRESSION', `squashfs compression id ${id} is not one of gzip, lzma, lzo, xz, lz4, zstd`);
  let p = loaded.get(id);
  if (!p) {
    p = load();
    loaded.set(id, p);
  }
  return p;
}
