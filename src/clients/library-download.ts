/**
 * Image downloads (`GET v1/imagefile/…`): a 200 answer is streamed; a 303 to the object store is
 * fetched as parallel ranged parts (singularity's 5 MiB × 3 by default), each part checked against
 * its `Content-Range` and retried a bounded number of times. Bytes go to a sink at their offsets;
 * nothing is held beyond one chunk per part in flight.
 *
 * @module
 */
import { isSifError, sifError } from '../errors.js';
import type { DownloadOptions, DownloadSink } from './library.js';
import { inParallel, readBody, streamFetch, withRetries, type Fetch } from './library-http.js';

/** What a download needs of the client. */
export interface DownloadContext {
  /** The fetch. */
  fetch: Fetch;
  /** Headers for a URL (the token only for the library's own origin). */
  headers(url: URL): Record<string, string>;
  /** Time-out for the answer to start, ms. */
  timeoutMs: number;
  /** Longest pause between bytes, ms. */
  idleTimeoutMs: number;
}

/** Bytes gathered before a write to the sink. */
const WRITE_CHUNK = 1 << 20;
/** Writes a part may have in flight. */
const WRITES_IN_FLIGHT = 2;

/** Errors worth another attempt: the connection, a time-out, a 5xx, a short body. */
function retryable(e: unknown): boolean {
  return isSifError(e, 'NETWORK_ERROR', 'TIMEOUT') || (isSifError(e, 'HTTP_ERROR') && /status 5\d\d/.test(e.message));
}

/**
 * Downloads an image file.
 *
 * @param ctx - fetch, headers and time-outs
 * @param url - the `v1/imagefile` URL
 * @param size - bytes expected (the image record's size)
 * @param sink - where the bytes go
 * @param opts - parts, concurrency, retries, resume, progress, signal
 * @returns bytes written
 */
export async function downloadImage(ctx: DownloadContext, url: URL, size: number, sink: DownloadSink, opts: DownloadOptions): Promise<number> {
  const retries = Math.max(1, opts.retries ?? 3);
  const aborted = (): void => {
    if (opts.signal?.aborted) throw sifError('ABORTED', 'download: aborted');
  };
  const first = await withRetries(retries, retryable, async () => {
    const res = await streamFetch(ctx.fetch, url, { method: 'GET', headers: ctx.headers(url) }, { timeoutMs: ctx.timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) });
    if (res.status >= 500) {
      res.abort();
      throw sifError('HTTP_ERROR', `${url.origin}: unexpected HTTP status ${res.status}`);
    }
    return res;
  });
  if (first.status === 404) {
    first.abort();
    throw sifError('NOT_FOUND', 'requested image was not found in the library');
  }
  let done = 0;
  const progress = (n: number): void => {
    done += n;
    opts.onProgress?.(done, size);
  };
  if (first.status === 200) {
    // One stream (the library serves the file itself).
    const declared = Number(first.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared !== size) {
      first.abort();
      throw sifError('RESPONSE_INVALID', `${url.origin}: the download says ${declared} bytes, the image record ${size}`);
    }
    let off = 0;
    await readBody(first, url, size, ctx.idleTimeoutMs, async (b) => {
      aborted();
      await sink.writeAt(off, b);
      off += b.length;
      progress(b.length);
    });
    if (off !== size) throw sifError('NETWORK_ERROR', `${url.origin}: the download ended after ${off} of ${size} bytes`);
    return off;
  }
  const location = first.headers.get('location');
  first.abort();
  if (first.status !== 303 || !location) throw sifError('HTTP_ERROR', `${url.origin}: unexpected HTTP status ${first.status}`);
  const blob = new URL(location, url);
  if (blob.protocol !== 'http:' && blob.protocol !== 'https:') throw sifError('RESPONSE_INVALID', `${url.origin}: redirect to a ${blob.protocol} URL refused`);
  const partSize = Math.max(1, Math.floor(opts.partSize ?? 5 << 20));
  const parts = Math.max(1, Math.ceil(size / partSize));
  if (size === 0) return 0;
  const part = async (index: number): Promise<void> => {
    const start = index * partSize;
    const end = Math.min(size, start + partSize) - 1;
    if (opts.skipPart?.(index)) {
      progress(end - start + 1);
      return;
    }
    await withRetries(retries, retryable, async () => {
      aborted();
      let got = 0;
      try {
        const res = await streamFetch(ctx.fetch, blob, { method: 'GET', headers: { ...ctx.headers(blob), Range: `bytes=${start}-${end}` } }, { timeoutMs: ctx.timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) });
        if (res.status !== 206 && !(res.status === 200 && start === 0 && end === size - 1)) {
          res.abort();
          if (res.status === 404) throw sifError('NOT_FOUND', 'requested image was not found in the library');
          throw sifError('HTTP_ERROR', `${blob.origin}: unexpected HTTP status ${res.status} for bytes ${start}-${end}`);
        }
        const cr = res.headers.get('content-range');
        if (res.status === 206) {
          const m = cr ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(cr) : null;
          if (!m || Number(m[1]) !== start || Number(m[2]) !== end || Number(m[3]) !== size) {
            res.abort();
            throw sifError('RESPONSE_INVALID', `${blob.origin}: asked for bytes ${start}-${end} of ${size}, got Content-Range ${JSON.stringify(cr)}`);
          }
        }
        const declared = Number(res.headers.get('content-length') ?? NaN);
        if (Number.isFinite(declared) && declared !== end - start + 1) {
          res.abort();
          throw sifError('RESPONSE_INVALID', `${blob.origin}: part ${start}-${end} says ${declared} bytes`);
        }
        // network chunks are small (16-64 KiB): gathered into 1 MiB writes, up to 2 of them in
        // flight, so the socket keeps being read while the disk writes
        let buf = new Uint8Array(Math.min(WRITE_CHUNK, end - start + 1));
        let fill = 0;
        let written = 0;
        const inFlight: Promise<void>[] = [];
        const flush = async (): Promise<void> => {
          if (fill === 0) return;
          inFlight.push(sink.writeAt(start + written, buf.subarray(0, fill)));
          written += fill;
          fill = 0;
          buf = new Uint8Array(Math.min(WRITE_CHUNK, end - start + 1 - written) || 1);
          if (inFlight.length >= WRITES_IN_FLIGHT) await inFlight.shift();
        };
        try {
          await readBody(res, blob, end - start + 1, ctx.idleTimeoutMs, async (b) => {
            aborted();
            for (let o = 0; o < b.length; ) {
              const n = Math.min(buf.length - fill, b.length - o);
              buf.set(b.subarray(o, o + n), fill);
              fill += n;
              o += n;
              if (fill === buf.length) await flush();
            }
            got += b.length;
            progress(b.length);
          });
          await flush();
        } finally {
          await Promise.all(inFlight);
        }
        if (got !== end - start + 1) throw sifError('NETWORK_ERROR', `${blob.origin}: part ${start}-${end} ended after ${got} bytes`);
        opts.onPart?.(index, partSize);
      } catch (e) {
        progress(-got);
        throw e;
      }
    });
  };
  await inParallel(parts, opts.concurrency ?? 3, part);
  return size;
}
