/**
 * The `fetch` sifkit's network clients use on Node: undici's, through `EnvHttpProxyAgent` so
 * `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` apply as curl and singularity apply them (Node's global
 * fetch ignores them), with an extra CA bundle (`SIFKIT_CA_FILE`, or the caller's) and certificate
 * checks off only when a keyserver is explicitly marked insecure.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

/** Options for {@link nodeFetch}. */
export interface NodeFetchOptions {
  /** Skip TLS certificate checks (singularity's `Insecure: true` keyservers). */
  insecure?: boolean;
  /** A PEM bundle of extra trusted CAs (default `$SIFKIT_CA_FILE`). */
  caFile?: string;
  /** The environment (proxies, CA file); default `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * A `fetch` with proxies from the environment, extra CAs and the insecure switch.
 *
 * @param opts - options
 * @returns a fetch function
 */
export function nodeFetch(opts: NodeFetchOptions = {}): typeof fetch {
  // undici (and the CA file) are loaded on the first request, not when a command starts
  let ready: Promise<{ undiciFetch: typeof import('undici').fetch; dispatcher: import('undici').Dispatcher }> | undefined;
  const load = async (): Promise<{ undiciFetch: typeof import('undici').fetch; dispatcher: import('undici').Dispatcher }> => {
    const { EnvHttpProxyAgent, fetch: undiciFetch } = await import('undici');
    const env = opts.env ?? process.env;
    const caFile = opts.caFile ?? env.SIFKIT_CA_FILE;
    const connect: { rejectUnauthorized: boolean; ca?: string[] } = { rejectUnauthorized: opts.insecure !== true };
    // the extra bundle comes on top of Node's own roots
    if (caFile) connect.ca = [...rootCertificates, readFileSync(caFile, 'utf8')];
    const pick = (a: string, b: string): string | undefined => env[a] ?? env[b];
    const proxy: { httpProxy?: string; httpsProxy?: string; noProxy?: string } = {};
    const http = pick('http_proxy', 'HTTP_PROXY');
    const https = pick('https_proxy', 'HTTPS_PROXY');
    const no = pick('no_proxy', 'NO_PROXY');
    if (http) proxy.httpProxy = http;
    if (https) proxy.httpsProxy = https;
    if (no) proxy.noProxy = no;
    // undici warns that EnvHttpProxyAgent is experimental on every start; users are not helped by it
    const emit = process.emitWarning;
    process.emitWarning = ((w: string | Error, ...rest: unknown[]) => {
      const code = (rest[0] as { code?: string } | undefined)?.code ?? rest[1];
      if (code === 'UNDICI-EHPA') return;
      (emit as (...a: unknown[]) => void).call(process, w, ...rest);
    }) as typeof process.emitWarning;
    try {
      return { undiciFetch, dispatcher: new EnvHttpProxyAgent({ ...proxy, connect }) };
    } finally {
      process.emitWarning = emit;
    }
  };
  return (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const env = opts.env ?? process.env;
    if (init?.body instanceof ReadableStream && !proxied(new URL(String(input)), env)) {
      return streamedRequest(new URL(String(input)), init, opts.insecure === true, opts.caFile ?? env.SIFKIT_CA_FILE);
    }
    const { undiciFetch, dispatcher } = await (ready ??= load());
    return undiciFetch(input as never, { ...(init as object), dispatcher } as never);
  }) as unknown as typeof fetch;
}

/** Whether a proxy from the environment applies to a URL (then undici carries the request). */
function proxied(url: URL, env: Record<string, string | undefined>): boolean {
  const proxy = url.protocol === 'https:' ? (env.https_proxy ?? env.HTTPS_PROXY) : (env.http_proxy ?? env.HTTP_PROXY);
  if (!proxy) return false;
  const no = (env.no_proxy ?? env.NO_PROXY ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  return !no.some((n) => n === '*' || url.hostname === n.replace(/^\./, '') || url.hostname.endsWith(n.startsWith('.') ? n : `.${n}`));
}

/**
 * A request with a streamed body over node:http(s), writing each chunk only when the socket has
 * taken the last (undici's fetch holds every chunk of a streamed body until the response: a 64 MiB
 * upload part stayed in memory whole).
 */
async function streamedRequest(url: URL, init: RequestInit, insecure: boolean, caFile: string | undefined): Promise<Response> {
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((v, k) => (headers[k] = v));
  const ca = caFile ? [...rootCertificates, readFileSync(caFile, 'utf8')] : undefined;
  return new Promise<Response>((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'PUT', headers, ...(url.protocol === 'https:' ? { rejectUnauthorized: !insecure, ...(ca ? { ca } : {}) } : {}) }, (res) => {
      const h = new Headers();
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
      const body = new ReadableStream<Uint8Array>({
        start(ctl) {
          res.on('data', (c: Buffer) => ctl.enqueue(new Uint8Array(c)));
          res.on('end', () => ctl.close());
          res.on('error', (e) => ctl.error(e));
        },
        cancel() {
          res.destroy();
        },
      });
      resolve(new Response(res.statusCode === 204 || res.statusCode === 304 ? null : body, { status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: h }));
    });
    req.on('error', reject);
    const signal = init.signal;
    const abort = (): void => void req.destroy(new Error('aborted'));
    if (signal?.aborted) abort();
    signal?.addEventListener('abort', abort, { once: true });
    (async () => {
      const reader = (init.body as ReadableStream<Uint8Array>).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!req.write(value)) await new Promise<void>((r) => req.once('drain', r));
      }
      req.end();
    })().catch((e: unknown) => req.destroy(e instanceof Error ? e : new Error(String(e))));
  });
}
