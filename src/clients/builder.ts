/**
 * The remote build service client (Node), as `scs-build-client` speaks it: build-context upload,
 * `POST v1/build`, the build log over the `v1/build-ws/<id>` WebSocket (text frames copied verbatim,
 * close 1000 = done), `GET v1/build/<id>`, `PUT v1/build/<id>/_cancel`. The WebSocket client is the
 * `ws` package: Node 20 has no WebSocket client that can send the `Authorization` header.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { sifError } from '../errors.js';
import { base64Encode } from '../runtime.js';
import { readJson, streamFetch, type Fetch } from './library-http.js';

/** A build's record (`rawBuildInfo`). */
export interface BuildInfo {
  /** Build ID. */
  id: string;
  /** Whether it finished. */
  isComplete: boolean;
  /** Size of the built image. */
  imageSize?: number;
  /** `sha256.<hex>` of the built image. */
  imageChecksum?: string;
  /** Where the image is: `library://…`. */
  libraryRef: string;
  /** The library holding it. */
  libraryURL: string;
}

/** What to build. */
export interface BuildRequest {
  /** The definition file's bytes. */
  definition: Uint8Array;
  /** `library://…` when the result goes to a library, else "". */
  libraryRef: string;
  /** The library the builder pulls from and pushes to. */
  libraryURL?: string;
  /** Architecture. */
  arch?: string;
  /** The uploaded build context's digest. */
  contextDigest?: string;
  /** The working directory (absolute). */
  workingDir?: string;
}

/** Options of {@link BuildClient}. */
export interface BuildClientOptions {
  /** The build service's base URL. */
  baseUrl: string;
  /** Access token. */
  token?: string;
  /** The fetch to use. */
  fetch?: Fetch;
  /** API time-out, ms (default 30 000). */
  timeoutMs?: number;
  /** `User-Agent`. */
  userAgent?: string;
}

/** The remote build service client. */
export class BuildClient {
  /** The service's base URL (with a trailing `/`). */
  readonly base: URL;
  readonly #opts: BuildClientOptions;
  readonly #fetch: Fetch;

  /** @param opts - base URL, token, fetch */
  constructor(opts: BuildClientOptions) {
    const base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw sifError('INVALID_ARGUMENT', `BuildClient: baseUrl must be http or https, not ${base.protocol}`);
    this.base = base;
    this.#opts = opts;
    this.#fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    if (this.#opts.token) h.Authorization = `BEARER ${this.#opts.token}`;
    if (this.#opts.userAgent) h['User-Agent'] = this.#opts.userAgent;
    return h;
  }

  async #call(method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; json: unknown }> {
    const url = new URL(path, this.base);
    const res = await streamFetch(this.#fetch, url, { method, headers: this.#headers(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...(body === undefined ? {} : { body: JSON.stringify(body) }) }, { timeoutMs: this.#opts.timeoutMs ?? 30_000 });
    const json = await readJson(res, url, 1 << 20, this.#opts.timeoutMs ?? 30_000);
    if (res.status < 200 || res.status > 299) {
      const msg = (json as { error?: { message?: string } } | undefined)?.error?.message;
      throw sifError(res.status === 401 || res.status === 403 ? 'AUTH_REQUIRED' : 'HTTP_ERROR', `${res.status} ${res.statusText}${msg ? `: ${msg}` : ''}`);
    }
    return { status: res.status, headers: res.headers, json };
  }

  /**
   * Uploads a build context archive unless the service has it already.
   *
   * @param file - the gzip'd tar
   * @param size - its size
   * @param digest - `sha256.<hex>`
   */
  async uploadContext(file: string, size: number, digest: string): Promise<void> {
    const r = await this.#call('POST', 'v1/build-context', { size, digest });
    const location = r.headers.get('location');
    if (!location) return; // the service has it
    const url = new URL(location, this.base);
    const body = await readFile(file);
    const { Authorization: _a, ...headers } = this.#headers({ 'Content-Type': 'application/octet-stream' });
    const res = await streamFetch(this.#fetch, url, { method: 'PUT', headers, body }, { timeoutMs: 600_000 });
    await res.body?.cancel().catch(() => undefined);
    if (res.status < 200 || res.status > 299) throw sifError('HTTP_ERROR', `build context upload: ${res.status} ${res.statusText}`);
  }

  /** Deletes an uploaded build context. */
  async deleteContext(digest: string): Promise<void> {
    await this.#call('DELETE', `v1/build-context/${digest}`);
  }

  /**
   * Submits a build (`POST v1/build`).
   *
   * @param req - the definition and where the result goes
   * @returns the build's record
   */
  async submit(req: BuildRequest): Promise<BuildInfo> {
    const body: Record<string, unknown> = { definitionRaw: base64Encode(req.definition), libraryRef: req.libraryRef };
    if (req.libraryURL) body.libraryURL = req.libraryURL;
    if (req.arch) body.builderRequirements = { arch: req.arch };
    if (req.contextDigest) body.contextDigest = req.contextDigest;
    if (req.workingDir) body.workingDir = req.workingDir;
    return checkInfo((await this.#call('POST', 'v1/build', body)).json);
  }

  /** The build's record (`GET v1/build/<id>`). */
  async status(id: string): Promise<BuildInfo> {
    return checkInfo((await this.#call('GET', `v1/build/${encodeURIComponent(id)}`)).json);
  }

  /** Cancels a build (`PUT v1/build/<id>/_cancel`). */
  async cancel(id: string): Promise<void> {
    await this.#call('PUT', `v1/build/${encodeURIComponent(id)}/_cancel`);
  }

  /**
   * Streams the build log: text frames to `write`, until the service closes with 1000. When `signal`
   * fires the build is cancelled on the service and the socket closed.
   *
   * @param id - build ID
   * @param write - gets each frame's bytes
   * @param signal - Ctrl-C
   */
  async output(id: string, write: (b: Uint8Array) => void, signal?: AbortSignal): Promise<void> {
    const url = new URL(`v1/build-ws/${encodeURIComponent(id)}`, this.base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url, { headers: this.#headers(), handshakeTimeout: this.#opts.timeoutMs ?? 30_000, maxPayload: 16 << 20 });
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (e?: Error): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (e) reject(e);
        else resolve();
      };
      const onAbort = (): void => {
        this.cancel(id)
          .catch(() => undefined)
          .finally(() => {
            ws.close();
            finish(sifError('ABORTED', 'build cancelled'));
          });
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      ws.on('message', (data, isBinary) => {
        if (!isBinary) write(data instanceof Buffer ? data : Buffer.concat(data as Buffer[]));
      });
      ws.on('close', (code, reason) => {
        if (code === 1000) finish();
        else finish(sifError('NETWORK_ERROR', `failed to read output: websocket: close ${code}${reason.length ? ` ${reason.toString()}` : ''}`));
      });
      ws.on('unexpected-response', (_req, res) => finish(sifError('HTTP_ERROR', `failed to dial: websocket: bad handshake (${res.statusCode})`)));
      ws.on('error', (e) => finish(sifError('NETWORK_ERROR', `failed to read output: ${e.message}`, { cause: e })));
    });
  }
}

function checkInfo(v: unknown): BuildInfo {
  const d = (v as { data?: unknown } | undefined)?.data as BuildInfo | undefined;
  if (!d || typeof d.id !== 'string' || typeof d.libraryRef !== 'string' || typeof d.libraryURL !== 'string') throw sifError('RESPONSE_INVALID', 'the build service answered without a build record');
  return d;
}
