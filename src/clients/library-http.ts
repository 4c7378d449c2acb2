/**
 * HTTP plumbing of the library client: requests whose answer must start within a time-out, bodies
 * read under a size cap and an idle time-out (a server that trickles bytes is cut off), JSON
 * envelopes, version comparison.
 *
 * @module
 */
import { sifError } from '../errors.js';
import { concatBytes } from '../hash/index.js';

/** The fetch the clients use. */
export type Fetch = typeof fetch;

/** A fetch whose response headers must arrive within `timeoutMs`; the signal also stops the body. */
export async function streamFetch(
  doFetch: Fetch,
  url: URL,
  init: { method: string; headers: Record<string, string>; body?: BodyInit | null; duplex?: 'half' },
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<Response & { abort(): void }> {
  const ctl = new AbortController();
  const onAbort = (): void => ctl.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => ctl.abort(new Error('timeout')), opts.timeoutMs);
  try {
    const res = await doFetch(url, { ...init, redirect: 'manual', signal: ctl.signal } as RequestInit);
    return Object.assign(res, { abort: () => ctl.abort() });
  } catch (e) {
    if (opts.signal?.aborted) throw sifError('ABORTED', `${url.origin}: request aborted`);
    if (ctl.signal.aborted) throw sifError('TIMEOUT', `${url.origin}: no answer within ${opts.timeoutMs / 1000} s`);
    throw sifError('NETWORK_ERROR', `${url.origin}: ${e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e)}`, { cause: e });
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Reads a response body chunk by chunk: each chunk must arrive within `idleMs`, the total stays
 * under `max` (else `RESPONSE_TOO_LARGE`), `onChunk` gets them in order.
 */
export async function readBody(
  res: Response & { abort?(): void },
  url: URL,
  max: number,
  idleMs: number,
  onChunk: (b: Uint8Array) => void | Promise<void>,
): Promise<number> {
  if (!res.body) return 0;
  const reader = res.body.getReader();
  let n = 0;
  // One watchdog for the whole body (a timer per chunk cost more than the chunk): when no chunk came
  // for idleMs, the pending read is cancelled.
  let idle = false;
  let last = Date.now();
  const timer = setInterval(() => {
    if (Date.now() - last < idleMs) return;
    idle = true;
    void reader.cancel().catch(() => undefined);
    res.abort?.();
  }, Math.max(10, Math.min(1000, idleMs / 4)));
  try {
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        if (idle) throw sifError('TIMEOUT', `${url.origin}: no data for ${idleMs / 1000} s`);
        throw sifError('NETWORK_ERROR', `${url.origin}: the response broke off: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      if (idle) throw sifError('TIMEOUT', `${url.origin}: no data for ${idleMs / 1000} s`);
      if (r.done) return n;
      last = Date.now();
      n += r.value.length;
      if (n > max) throw sifError('RESPONSE_TOO_LARGE', `${url.origin}: the response is longer than the ${max} bytes expected`);
      await onChunk(r.value);
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    res.abort?.();
    throw e;
  } finally {
    clearInterval(timer);
  }
}

/** A JSON body (undefined when it is empty or not JSON), at most `max` bytes. */
export async function readJson(res: Response, url: URL, max: number, idleMs: number): Promise<unknown> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw sifError('RESPONSE_TOO_LARGE', `${url.origin}: the response says ${declared} bytes, more than the ${max} accepted`);
  }
  const parts: Uint8Array[] = [];
  await readBody(res, url, max, idleMs, (b) => void parts.push(b));
  const text = new TextDecoder().decode(concatBytes(parts));
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Whether a semantic version is at least `want` (the reference's feature gates; missing or invalid
 * counts as older).
 */
export function semverAtLeast(have: string | undefined, want: string): boolean {
  const parse = (v: string): [number[], string[]] | undefined => {
    const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+.*)?$/.exec(v);
    return m ? [[Number(m[1]), Number(m[2]), Number(m[3])], m[4] ? m[4].split('.') : []] : undefined;
  };
  const a = have ? parse(have) : undefined;
  const b = parse(want)!;
  if (!a) return false;
  for (let i = 0; i < 3; i++) if (a[0][i] !== b[0][i]) return a[0][i]! > b[0][i]!;
  const [pa, pb] = [a[1], b[1]];
  if (pa.length === 0 || pb.length === 0) return pa.length === 0; // a release beats its pre-releases
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const [x, y] = [pa[i]!, pb[i]!];
    if (x === y) continue;
    const [nx, ny] = [/^\d+$/.test(x), /^\d+$/.test(y)];
    if (nx && ny) return Number(x) > Number(y);
    if (nx !== ny) return !nx;
    return x > y;
  }
  return pa.length >= pb.length;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `attempt` until it succeeds, at most `times` times, waiting 200 ms, 400 ms, … between tries;
 * an error `retryable` refuses is thrown at once.
 */
export async function withRetries<T>(times: number, retryable: (e: unknown) => boolean, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (n >= Math.max(1, times) || !retryable(e)) throw e;
      await sleep(100 * 2 ** n);
    }
  }
}

/**
 * Runs `task(0)` … `task(count - 1)` with at most `width` at a time, in order of start; after the
 * first failure no new task starts, and that failure is thrown once the running ones end.
 */
export async function inParallel(count: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    try {
      while (next < count && !failed) await task(next++);
    } catch (e) {
      failed = true;
      throw e;
    }
  };
  await Promise.all(Array.from({ length: Math.min(count, Math.max(1, width)) }, worker));
}
