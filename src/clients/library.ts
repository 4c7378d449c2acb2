/**
 * A client for the Sylabs Container Library API (`library://`), portable (`fetch` and streams):
 * image records, search, delete, downloads (one stream, or parallel ranged parts when the server
 * redirects to its object store) and uploads (v2 single and multipart, v1 for old servers), as the
 * reference Go client (`scs-library-client`, `container-library-client`) speaks it.
 *
 * Every response is hostile until checked: JSON bodies are capped, downloads must match the
 * announced ranges and sizes, redirects never carry the token to another origin, and every wait
 * is bounded (a connection time-out and an idle time-out between bytes).
 *
 * @module
 */
import { sifError, isSifError } from '../errors.js';
import { createHash, toHex, type Hasher } from '../hash/index.js';
import { updateFromSource } from '../hash/stream.js';
import type { ByteSource } from '../io/source.js';
import { checkOptions, is } from '../options.js';
import { readJson, semverAtLeast, streamFetch, type Fetch } from './library-http.js';
import { isLibraryPushRef } from './library-ref.js';
import { md5 } from '@noble/hashes/legacy.js';
import { nodeBuiltin } from '../runtime.js';

/** An image record (`client.Image`; the fields sifkit uses). */
export interface LibraryImage {
  /** Image ID. */
  id: string;
  /** `sha256.<hex>` of the SIF. */
  hash: string;
  /** Description. */
  description: string;
  /** Size in bytes. */
  size: number;
  /** Whether its file was uploaded. */
  uploaded: boolean;
  /** Architecture. */
  arch?: string;
  /** Whether the library saw a signature. */
  signed?: boolean;
  /** Signing key fingerprints the library recorded. */
  fingerprints?: string[];
  /** Names, in search results. */
  entityName?: string;
  /** Collection name, in search results. */
  collectionName?: string;
  /** Container name, in search results. */
  containerName?: string;
  /** Tags, in search results. */
  tags?: string[];
}

/** Options of {@link LibraryClient}. */
export interface LibraryClientOptions {
  /** The library's base URL (http or https), e.g. `https://library.sylabs.io`. */
  baseUrl: string;
  /** Access token (`Authorization: Bearer`), sent only to the library's own origin. */
  token?: string;
  /** The fetch to use (default: the global one; `sifkit/node` gives one with proxies and CAs). */
  fetch?: Fetch;
  /** Time-out for API calls and for the first byte of a download, ms (default 30 000). */
  timeoutMs?: number;
  /** Longest pause between bytes of a download before it is given up, ms (default 30 000). */
  idleTimeoutMs?: number;
  /** `User-Agent` header. */
  userAgent?: string;
}

/** Where a download writes: at offsets, in any order (parts arrive in parallel). */
export interface DownloadSink {
  /** Writes bytes at an offset. */
  writeAt(offset: number, bytes: Uint8Array): Promise<void>;
}

/** Options of {@link LibraryClient.download}. */
export interface DownloadOptions {
  /** Part size for ranged downloads (default 5 MiB, as singularity). */
  partSize?: number;
  /** Parts in flight (default 3, as singularity). */
  concurrency?: number;
  /** Attempts per part before giving up (default 3). */
  retries?: number;
  /** Parts already on disk (a resumed download): skipped. */
  skipPart?: (index: number) => boolean;
  /** Called when a part is complete (for resuming). */
  onPart?: (index: number, partSize: number) => void;
  /** Bytes received so far (including skipped parts). */
  onProgress?: (bytes: number, total: number) => void;
  /** Stops the download. */
  signal?: AbortSignal;
}

/** Options of {@link LibraryClient.upload}. */
export interface UploadOptions {
  /** Bytes sent so far. */
  onProgress?: (bytes: number, total: number) => void;
  /** Stops the upload (a multipart upload is aborted on the server). */
  signal?: AbortSignal;
  /** Attempts per part (default 3). */
  retries?: number;
  /** Multipart upload above this size when the library offers it (default 64 MiB, as the reference). */
  multipartAbove?: number;
}

/** The library's version (`GET version`). */
export interface LibraryVersion {
  /** The server's version. */
  version?: string;
  /** The API version (feature gates: v2 upload from 2.0.0-alpha.1, arch tags from 2.0.0-alpha.2). */
  apiVersion?: string;
}

/** A library's storage quota. */
export interface LibraryQuota {
  /** Bytes allowed (0: unlimited). */
  quotaTotal: number;
  /** Bytes used. */
  quotaUsage: number;
}

/** What the library answers when an upload completes (`UploadImageComplete`). */
export interface UploadResult {
  /** Quota figures, when the library reports them. */
  quota?: LibraryQuota;
  /** The container's path on the library's web site. */
  containerUrl?: string;
}

/** An entity, collection or container in search results (the fields sifkit checks; the rest as sent). */
export interface LibraryRecord {
  /** ID. */
  id: string;
  /** Name. */
  name: string;
  /** Description. */
  description?: string;
  /** Everything else the library sent. */
  [field: string]: unknown;
}

/** Search results (`client.SearchResults`). */
export interface SearchResults {
  /** Entities found. */
  entities: LibraryRecord[];
  /** Collections found. */
  collections: LibraryRecord[];
  /** Containers found. */
  containers: LibraryRecord[];
  /** Images found. */
  images: LibraryImage[];
}

const MIN_PART = 64 << 20; // the reference's minimumPartSize: multipart above it

/** The Container Library client. */
export class LibraryClient {
  /** The library's base URL (with a trailing `/`). */
  readonly base: URL;
  readonly #opts: LibraryClientOptions;
  readonly #fetch: Fetch;

  /**
   * @param opts - base URL, token, fetch, time-outs
   * @throws SifError `INVALID_ARGUMENT` for a bad option or a base URL that is not http(s)
   */
  constructor(opts: LibraryClientOptions) {
    checkOptions('LibraryClient', opts, {
      baseUrl: is.string,
      token: is.string,
      fetch: is.function,
      timeoutMs: is.int(1, 3_600_000),
      idleTimeoutMs: is.int(1, 3_600_000),
      userAgent: is.string,
    });
    let base: URL;
    try {
      base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
    } catch {
      throw sifError('INVALID_ARGUMENT', `LibraryClient: baseUrl ${JSON.stringify(opts.baseUrl)} is not a URL`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw sifError('INVALID_ARGUMENT', `LibraryClient: baseUrl must be http or https, not ${base.protocol}`);
    this.base = base;
    this.#opts = opts;
    this.#fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  #headers(url: URL, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    if (this.#opts.userAgent) h['User-Agent'] = this.#opts.userAgent;
    if (this.#opts.token && url.origin === this.base.origin) h.Authorization = `Bearer ${this.#opts.token}`;
    return h;
  }

  #url(path: string, query?: Record<string, string | undefined>): URL {
    const u = new URL(path, this.base);
    for (const [k, v] of Object.entries(query ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) if (v !== undefined) u.searchParams.append(k, v);
    return u;
  }

  /** One API call: the `data` of the JSON envelope. 404 is `NOT_FOUND`; other failures `HTTP_ERROR`. */
  async #api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts: { query?: Record<string, string | undefined>; body?: unknown; accept?: number[]; signal?: AbortSignal } = {}): Promise<T> {
    const url = this.#url(path, opts.query);
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const res = await streamFetch(this.#fetch, url, { method, headers: this.#headers(url, body ? { 'Content-Type': 'application/json' } : {}), body }, this.#timeouts(opts.signal));
    const json = await readJson(res, url, 16 << 20, this.#opts.idleTimeoutMs ?? 30_000);
    if (res.status === 404) throw sifError('NOT_FOUND', `${path.split('?')[0]}: not found`);
    if (!(opts.accept ?? [200]).includes(res.status)) {
      const err = (json as { error?: { code?: number; message?: string } } | undefined)?.error;
      const what = err?.message ? `${err.message} (${res.status} ${res.statusText})` : `http status code: ${res.status}`;
      throw sifError(res.status === 401 || res.status === 403 ? 'AUTH_REQUIRED' : 'HTTP_ERROR', `request did not succeed: ${what}`);
    }
    return (json as { data?: T } | undefined)?.data as T;
  }

  #timeouts(signal?: AbortSignal): { timeoutMs: number; signal?: AbortSignal } {
    return { timeoutMs: this.#opts.timeoutMs ?? 30_000, ...(signal ? { signal } : {}) };
  }

  /** The library's version (`GET version`): `{ version, apiVersion }`. */
  async version(signal?: AbortSignal): Promise<LibraryVersion> {
    return (await this.#api<LibraryVersion>('GET', 'version', signal ? { signal } : {})) ?? {};
  }

  /** The API version, or undefined when the library does not say (then treated as old). */
  async #apiVersion(): Promise<string | undefined> {
    try {
      return (await this.version()).apiVersion;
    } catch {
      return undefined;
    }
  }

  /**
   * An image record by `path:tag` (or `path:sha256.<hex>`) for an architecture.
   *
   * @param ref - `entity/collection/container:tag`
   * @param arch - e.g. `amd64`
   * @returns the record
   * @throws SifError `NOT_FOUND`
   */
  async getImage(ref: string, arch: string): Promise<LibraryImage> {
    const img = await this.#api<LibraryImage>('GET', `v1/images/${ref.replace(/^\//, '')}`, { query: { arch } });
    return checkImage(img, `image ${ref}`);
  }

  /**
   * Searches the library's images (`GET v1/search`).
   *
   * @param value - at least 3 characters
   * @param opts - architecture, signed only
   * @returns the images found
   */
  async search(value: string, opts: { arch?: string; signed?: boolean } = {}): Promise<SearchResults> {
    if (value.length < 3) throw sifError('INVALID_ARGUMENT', `bad query '${value}'. You must search for at least 3 characters`);
    const data = await this.#api<Record<string, unknown>>('GET', 'v1/search', { query: { value, arch: opts.arch, signed: opts.signed ? 'true' : undefined } });
    const list = (k: string): unknown[] => (Array.isArray(data?.[k]) ? (data[k] as unknown[]) : []);
    const record = (v: unknown, what: string): LibraryRecord => {
      const r = v as LibraryRecord;
      if (typeof r !== 'object' || r === null || typeof r.id !== 'string' || typeof r.name !== 'string') throw sifError('RESPONSE_INVALID', `${what}: not a record with an id and a name`);
      return r;
    };
    return {
      entities: list('entity').map((e, n) => record(e, `search result entity ${n}`)),
      collections: list('collection').map((e, n) => record(e, `search result collection ${n}`)),
      containers: list('container').map((e, n) => record(e, `search result container ${n}`)),
      images: list('image').map((i, n) => checkImage(i as LibraryImage, `search result image ${n}`)),
    };
  }

  /**
   * Deletes an image (`DELETE v1/images/<path>:<tag>?arch=`).
   *
   * @param ref - `entity/collection/container:tag`
   * @param arch - architecture
   */
  async deleteImage(ref: string, arch: string): Promise<void> {
    if (!ref || !arch) throw sifError('INVALID_ARGUMENT', 'deleteImage: both the image reference and the architecture are required');
    await this.#api('DELETE', `v1/images/${ref.replace(/^\//, '')}`, { query: { arch } });
  }

  /**
   * Downloads an image file into a sink: `GET v1/imagefile/<path>:<tag>`; a 200 is streamed, a 303
   * to the object store is fetched in parallel ranged parts of `size` bytes in all.
   *
   * @param ref - `entity/collection/container:tag`
   * @param arch - architecture
   * @param size - the image record's size (ranged downloads are cut to it)
   * @param sink - where the bytes go
   * @param opts - parts, concurrency, retries, resume, progress, signal
   * @returns the number of bytes written
   */
  async download(ref: string, arch: string, size: number, sink: DownloadSink, opts: DownloadOptions = {}): Promise<number> {
    const { downloadImage } = await import('./library-download.js');
    return downloadImage(
      { fetch: this.#fetch, headers: (u) => this.#headers(u), timeoutMs: this.#opts.timeoutMs ?? 30_000, idleTimeoutMs: this.#opts.idleTimeoutMs ?? 30_000 },
      this.#url(`v1/imagefile/${ref.replace(/^\//, '')}`, { arch }),
      size,
      sink,
      opts,
    );
  }

  /**
   * Uploads a SIF as `entity/collection/container` (created when missing) and tags it, as the
   * reference client's `UploadImage` does.
   *
   * @param source - the image bytes
   * @param path - `entity/collection/container` (no tags)
   * @param arch - the image's architecture
   * @param tags - tags to set
   * @param description - image description
   * @param opts - progress, signal, retries
   * @returns what the library reported
   */
  async upload(source: ByteSource, path: string, arch: string, tags: string[], description: string, opts: UploadOptions = {}): Promise<UploadResult | undefined> {
    const p = path.replace(/^library:\/\//, '');
    if (!isLibraryPushRef(p) || p.includes(':')) throw sifError('INVALID_REFERENCE', `malformed image path: ${path}`);
    const [entity, collection, container] = p.split('/') as [string, string, string];
    const { sha256, md5sum } = await checksums(source, opts.signal);
    const e = await this.#getOrCreate<{ id: string }>(`v1/entities/${entity}`, 'v1/entities', { name: entity, description: 'No description' });
    const c = await this.#getOrCreate<{ id: string }>(`v1/collections/${entity}/${collection}`, 'v1/collections', { name: collection, description: 'No description', entity: e.id });
    const ct = await this.#getOrCreate<{ id: string }>(`v1/containers/${entity}/${collection}/${container}`, 'v1/containers', { name: container, description: 'No description', collection: c.id });
    const hash = `sha256.${sha256}`;
    let img: LibraryImage;
    try {
      img = await this.getImage(`${p}:${hash}`, arch);
    } catch (err) {
      if (!isSifError(err, 'NOT_FOUND')) throw err;
      img = checkImage(await this.#api<LibraryImage>('POST', 'v1/images', { body: { hash, description, container: ct.id }, accept: [200, 201] }), 'new image');
    }
    // asked once per upload: the upload API and the tag API are both gated on it
    const apiVersion = await this.#apiVersion();
    let result: UploadResult | undefined;
    if (!img.uploaded) {
      const { uploadFile } = await import('./library-upload.js');
      result = await uploadFile(
        { api: (m, u, o) => this.#api(m, u, o), fetch: this.#fetch, headers: (u) => this.#headers(u), timeoutMs: this.#opts.timeoutMs ?? 30_000, v2: semverAtLeast(apiVersion, '2.0.0-alpha.1'), base: this.base },
        source,
        img.id,
        { sha256, md5: md5sum },
        opts.multipartAbove ?? MIN_PART,
        opts,
      );
    }
    if (semverAtLeast(apiVersion, '2.0.0-alpha.2')) {
      for (const t of tags) await this.#api('POST', `v2/tags/${ct.id}`, { body: { Arch: arch, Tag: t, ImageID: img.id } });
    } else {
      for (const t of tags) await this.#api('POST', `v1/tags/${ct.id}`, { body: { Tag: t, ImageID: img.id } });
    }
    return result;
  }

  async #getOrCreate<T extends { id: string }>(get: string, post: string, body: Record<string, string>): Promise<T> {
    try {
      return checkId(await this.#api<T>('GET', get), get);
    } catch (e) {
      if (!isSifError(e, 'NOT_FOUND')) throw e;
    }
    return checkId(await this.#api<T>('POST', post, { body, accept: [200, 201] }), post);
  }
}

function checkId<T extends { id: string }>(v: T, what: string): T {
  if (typeof v?.id !== 'string' || v.id === '' || v.id.length > 256) throw sifError('RESPONSE_INVALID', `${what}: the library's answer has no id`);
  return v;
}

function checkImage(v: LibraryImage, what: string): LibraryImage {
  if (typeof v !== 'object' || v === null || typeof v.id !== 'string' || typeof v.hash !== 'string') throw sifError('RESPONSE_INVALID', `${what}: not an image record`);
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) throw sifError('RESPONSE_INVALID', `${what}: size ${JSON.stringify(v.size)} is not a byte count`);
  return v;
}

/** SHA-256 and MD5 of a whole source, in one pass. */
async function checksums(source: ByteSource, signal?: AbortSignal): Promise<{ sha256: string; md5sum: string }> {
  const sha = createHash('sha256');
  // node:crypto's MD5 where there is one (several times faster), @noble/hashes elsewhere
  const node = nodeBuiltin<{ createHash(a: string): { update(b: Uint8Array): unknown; digest(): Uint8Array } }>('node:crypto');
  const m = node ? node.createHash('md5') : md5.create();
  // both sums in one read of the source (the hash core's overlapped reader)
  const both: Hasher = {
    update(b) {
      sha.update(b);
      m.update(b);
      return both;
    },
    digest: () => sha.digest(),
  };
  await updateFromSource(both, source, 0, source.size, () => {
    if (signal?.aborted) throw sifError('ABORTED', 'upload: aborted');
  });
  return { sha256: toHex(sha.digest()), md5sum: toHex(m.digest()) };
}
