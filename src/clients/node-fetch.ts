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
    const { undiciFetch, dispatcher } = await (ready ??= load());
    return undiciFetch(input as never, { ...(init as object), dispatcher } as never);
  }) as unknown as typeof fetch;
}
