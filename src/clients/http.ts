/**
 * HTTP for sifkit's network clients, over the platform's `fetch` (Node and browsers): a time-out on
 * every request, responses read with a size cap (a server cannot make sifkit allocate more than the
 * cap, however long it talks), redirects followed by hand so a token is never sent to another origin,
 * and failures as typed errors naming the URL.
 *
 * @module
 */
import { isSifError, sifError } from '../errors.js';
import { concatBytes } from '../hash/index.js';

/** Options shared by the clients' requests. */
export interface HttpOptions {
  /** The `fetch` to use (default the global one). */
  fetch?: typeof fetch;
  /** Milliseconds before a request (headers and body) is abandoned. Default 15,000. */
  timeoutMs?: number;
  /** Largest response body accepted, in bytes. Default 16 MiB. */
  maxBytes?: number;
  /** Cancels the request. */
  signal?: AbortSignal;
}

/** One request. */
export interface HttpRequest {
  /** GET or POST. */
  method: 'GET' | 'POST';
  /** The URL. */
  url: URL;
  /** Headers (`Authorization` is dropped when a redirect leaves the origin). */
  headers?: Record<string, string>;
  /** Body (POST). */
  body?: string;
}

/** A response read whole (within the cap). */
export interface HttpResponse {
  /** Status code. */
  status: number;
  /** Status text. */
  statusText: string;
  /** Content type, lower case, without parameters. */
  contentType: string;
  /** The body as text. */
  text: string;
  /** The URL that answered (after redirects). */
  url: URL;
}

const MAX_REDIRECTS = 5;

/**
 * Sends a request and reads the response whole, within the size cap and the time-out.
 *
 * @param req - the request
 * @param opts - fetch, time-out, cap, signal
 * @returns the response (any status)
 * @throws SifError `NETWORK_ERROR`, `TIMEOUT`, `RESPONSE_TOO_LARGE`, `ABORTED`
 */
export async function httpRequest(req: HttpRequest, opts: HttpOptions = {}): Promise<HttpResponse> {
  const doFetch = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const maxBytes = opts.maxBytes ?? 16 << 20;
  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(), timeoutMs);
  const onAbort = (): void => timer.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const why = (): never => {
    if (opts.signal?.aborted) throw sifError('ABORTED', `${req.url.origin}: request aborted`);
    throw sifError('TIMEOUT', `${req.url.origin}: no complete answer within ${timeoutMs / 1000} s`);
  };
  try {
    let url = req.url;
    let headers = { ...(req.headers ?? {}) };
    for (let hop = 0; ; hop++) {
      let res: Response;
      try {
        res = await doFetch(url, { method: req.method, headers, body: req.body, redirect: 'manual', signal: timer.signal });
      } catch (e) {
        if (timer.signal.aborted) why();
        throw sifError('NETWORK_ERROR', `${url.origin}: ${e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e)}`, { cause: e });
      }
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel().catch(() => undefined);
        if (hop >= MAX_REDIRECTS) throw sifError('NETWORK_ERROR', `${req.url.origin}: more than ${MAX_REDIRECTS} redirects`);
        const next = new URL(location, url);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') throw sifError('NETWORK_ERROR', `${url.origin}: redirect to a ${next.protocol} URL refused`);
        if (next.origin !== url.origin) {
          // credentials stay with the origin they were given for
          const { Authorization: _a, authorization: _b, ...rest } = headers;
          headers = rest;
        }
        url = next;
        continue;
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (declared > maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw sifError('RESPONSE_TOO_LARGE', `${url.origin}: the response says ${declared} bytes, more than the ${maxBytes} accepted`);
      }
      const parts: Uint8Array[] = [];
      let size = 0;
      if (res.body) {
        const reader = res.body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            size += value.length;
            if (size > maxBytes) {
              await reader.cancel().catch(() => undefined);
              throw sifError('RESPONSE_TOO_LARGE', `${url.origin}: the response is longer than the ${maxBytes} bytes accepted`);
            }
            parts.push(value);
          }
        } catch (e) {
          if (isSifError(e, 'RESPONSE_TOO_LARGE')) throw e;
          if (timer.signal.aborted) why();
          throw sifError('NETWORK_ERROR', `${url.origin}: the response broke off: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        }
      }
      const body = concatBytes(parts);
      return {
        status: res.status,
        statusText: res.statusText,
        contentType: (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase(),
        text: new TextDecoder().decode(body),
        url,
      };
    }
  } finally {
    clearTimeout(timeout);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
