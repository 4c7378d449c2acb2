/**
 * Image uploads, as the reference client's `postFileWrapper`: v2 (API ≥ 2.0.0-alpha.1) multipart
 * above 64 MiB when the library offers it (each part hashed, sent to its presigned URL, retried,
 * the upload aborted on the server when a part finally fails), else one presigned PUT and
 * `_complete`; v1 (older libraries) one raw POST. Bodies are streamed from the source in 4 MiB
 * reads: nothing is held whole, whatever the part size the server asks for.
 *
 * @module
 */
import { isSifError, sifError } from '../errors.js';
import { digestRange } from '../hash/stream.js';
import { toHex } from '../hash/index.js';
import type { ByteSource } from '../io/source.js';
import type { UploadOptions, UploadResult } from './library.js';
import { inParallel, readJson, streamFetch, withRetries, type Fetch } from './library-http.js';

/** What an upload needs of the client. */
export interface UploadContext {
  /** An API call returning the envelope's data. */
  api(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts: { body?: unknown; accept?: number[] }): Promise<unknown>;
  /** The fetch. */
  fetch: Fetch;
  /** Headers for a URL (the token only for the library's origin). */
  headers(url: URL): Record<string, string>;
  /** Time-out for answers, ms. */
  timeoutMs: number;
  /** Whether the library speaks the v2 upload API. */
  v2: boolean;
  /** The library's base URL. */
  base: URL;
}

const CHUNK = 4 << 20;

/** A stream of `length` bytes of a source from `start`, read 4 MiB at a time. */
function rangeStream(source: ByteSource, start: number, length: number, onBytes: (n: number) => void, signal?: AbortSignal): ReadableStream<Uint8Array> {
  let pos = 0;
  return new ReadableStream<Uint8Array>({
    async pull(ctl) {
      if (signal?.aborted) return ctl.error(sifError('ABORTED', 'upload: aborted'));
      if (pos >= length) return ctl.close();
      const n = Math.min(CHUNK, length - pos);
      const b = await source.read(start + pos, n);
      pos += n;
      onBytes(n);
      ctl.enqueue(b);
    },
  });
}

/** Sends a range of the source (PUT to an object-store URL, which gets no token; POST for v1). */
async function send(ctx: UploadContext, method: 'PUT' | 'POST', url: URL, source: ByteSource, start: number, length: number, headers: Record<string, string>, onBytes: (n: number) => void, signal?: AbortSignal): Promise<Response & { abort(): void }> {
  const res = await streamFetch(
    ctx.fetch,
    url,
    // presigned object-store URLs carry their own authorisation: the token goes only with the v1 POST
    { method, headers: { ...(method === 'POST' ? ctx.headers(url) : withoutAuth(ctx.headers(url))), 'Content-Length': String(length), ...headers }, body: rangeStream(source, start, length, onBytes, signal), duplex: 'half' },
    { timeoutMs: Math.max(ctx.timeoutMs, 600_000), ...(signal ? { signal } : {}) },
  );
  return res;
}

function withoutAuth(h: Record<string, string>): Record<string, string> {
  const { Authorization: _a, ...rest } = h;
  return rest;
}

function objectOf(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw sifError('RESPONSE_INVALID', `${what}: the library's answer is not an object`);
  return v as Record<string, unknown>;
}

function completion(v: unknown): UploadResult | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as { quota?: { quotaTotal?: unknown; quotaUsage?: unknown }; containerUrl?: unknown };
  const out: UploadResult = {};
  if (o.quota && typeof o.quota.quotaTotal === 'number' && typeof o.quota.quotaUsage === 'number') out.quota = { quotaTotal: o.quota.quotaTotal, quotaUsage: o.quota.quotaUsage };
  if (typeof o.containerUrl === 'string' && o.containerUrl !== '') out.containerUrl = o.containerUrl;
  return out;
}

/**
 * Uploads an image's file.
 *
 * @param ctx - API access
 * @param source - the bytes
 * @param imageId - the image record's ID
 * @param sums - hex SHA-256 and MD5 of the whole file
 * @param minPart - multipart above this size
 * @param opts - progress, signal, retries
 * @returns what the library reported on completion
 */
export async function uploadFile(ctx: UploadContext, source: ByteSource, imageId: string, sums: { sha256: string; md5: string }, minPart: number, opts: UploadOptions): Promise<UploadResult | undefined> {
  const size = source.size;
  let sent = 0;
  const onBytes = (n: number): void => {
    sent += n;
    opts.onProgress?.(sent, size);
  };
  if (!ctx.v2) {
    // v1: the file itself in one POST to the library (which keeps the token)
    const res = await send(ctx, 'POST', new URL(`v1/imagefile/${imageId}`, ctx.base), source, 0, size, {}, onBytes, opts.signal);
    if (res.status !== 200) {
      const err = ((await readJson(res, ctx.base, 1 << 20, 30_000).catch(() => undefined)) as { error?: { message?: string } } | undefined)?.error;
      throw sifError('HTTP_ERROR', `sending file did not succeed: ${err?.message ?? `http status code ${res.status}`}`);
    }
    return undefined;
  }
  if (size > minPart) {
    let start: Record<string, unknown> | undefined;
    try {
      start = objectOf(await ctx.api('POST', `v2/imagefile/${imageId}/_multipart`, { body: { filesize: size } }), 'multipart upload');
    } catch (e) {
      if (!isSifError(e, 'NOT_FOUND')) throw e; // 404: the library has no multipart upload
    }
    if (start) return multipart(ctx, source, imageId, start, onBytes, opts);
  }
  const u = objectOf(await ctx.api('POST', `v2/imagefile/${imageId}`, { body: { filesize: size, md5sum: sums.md5, sha256sum: sums.sha256 } }), 'upload request');
  if (typeof u.uploadURL !== 'string' || u.uploadURL === '') throw sifError('RESPONSE_INVALID', 'error getting presigned URL');
  const url = parseUrl(u.uploadURL);
  const signed = (url.searchParams.get('X-Amz-SignedHeaders') ?? '').split(';').includes('x-amz-content-sha256');
  const res = await send(ctx, 'PUT', url, source, 0, size, { 'Content-Type': 'application/octet-stream', ...(signed ? { 'x-amz-content-sha256': sums.sha256 } : {}) }, onBytes, opts.signal);
  await res.body?.cancel().catch(() => undefined);
  if (res.status !== 200) throw sifError('HTTP_ERROR', `error uploading image: HTTP status ${res.status}`);
  return completion(await ctx.api('PUT', `v2/imagefile/${imageId}/_complete`, { body: {}, accept: [200, 204] }));
}

function parseUrl(s: string): URL {
  try {
    const u = new URL(s);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
    return u;
  } catch {
    throw sifError('RESPONSE_INVALID', `the library gave an upload URL that is not an http(s) URL: ${JSON.stringify(s.slice(0, 200))}`);
  }
}

async function multipart(ctx: UploadContext, source: ByteSource, imageId: string, start: Record<string, unknown>, onBytes: (n: number) => void, opts: UploadOptions): Promise<UploadResult | undefined> {
  const size = source.size;
  const { uploadID, totalParts, partSize } = start;
  const opt = (start.options ?? {}) as Record<string, unknown>;
  if (typeof uploadID !== 'string' || uploadID === '' || typeof partSize !== 'number' || !Number.isSafeInteger(partSize) || partSize <= 0 || totalParts !== Math.ceil(size / partSize)) {
    throw sifError('RESPONSE_INVALID', `multipart upload: the library's plan (${JSON.stringify({ uploadID, totalParts, partSize })}) does not fit ${size} bytes`);
  }
  const s3 = opt.s3compliant === undefined || opt.s3compliant === '' || opt.s3compliant === 'true';
  const retries = Math.max(1, opts.retries ?? 3);
  const completed: { partNumber: number; token: string }[] = [];
  // Two parts in flight: one is hashed (its sha256 goes in the request for its URL) while the other
  // is sent, so reading, hashing and the network overlap.
  const sendPart = async (n: number): Promise<void> => {
    const from = (n - 1) * partSize;
    const len = Math.min(partSize, size - from);
    const sum = toHex(await digestRange('sha256', source, from, len));
    const fatal = (e: unknown): boolean => isSifError(e, 'ABORTED', 'RESPONSE_INVALID', 'AUTH_REQUIRED');
    await withRetries(retries, (e) => !fatal(e), async () => {
      let partSent = 0;
      try {
        const p = objectOf(await ctx.api('PUT', `v2/imagefile/${imageId}/_multipart`, { body: { partSize: len, uploadID, partNumber: n, sha256sum: sum } }), `part ${n}`);
        if (typeof p.presignedURL !== 'string') throw sifError('RESPONSE_INVALID', `part ${n}: no presigned URL`);
        const res = await send(ctx, 'PUT', parseUrl(p.presignedURL), source, from, len, s3 ? { 'x-amz-content-sha256': sum } : {}, (k) => ((partSent += k), onBytes(k)), opts.signal);
        await res.body?.cancel().catch(() => undefined);
        if (res.status !== 200) throw sifError('HTTP_ERROR', `object store returned an error: ${res.status}`);
        const etag = res.headers.get('etag');
        if (!etag) throw sifError('RESPONSE_INVALID', `part ${n}: the object store gave no ETag`);
        completed.push({ partNumber: n, token: etag });
      } catch (e) {
        onBytes(-partSent);
        throw e;
      }
    });
  };
  try {
    await inParallel(totalParts, 2, (i) => sendPart(i + 1));
  } catch (e) {
    await ctx.api('PUT', `v2/imagefile/${imageId}/_multipart_abort`, { body: { uploadID } }).catch(() => undefined);
    throw e;
  }
  completed.sort((a, b) => a.partNumber - b.partNumber);
  return completion(await ctx.api('PUT', `v2/imagefile/${imageId}/_multipart_complete`, { body: { uploadID, completedParts: completed } }));
}

