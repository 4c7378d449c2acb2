/**
 * An HKP keyserver client (portable: `fetch`), as singularity's key client (scs-key-client) talks to
 * SKS, Hockeypuck and the Sylabs keystore: `GET /pks/lookup` with `op=index|get`, `options=mr`,
 * `POST /pks/add` with `keytext=`; `hkp://` means `http://…:11371`, `hkps://` means `https://`; a
 * bearer token only over https or to localhost. Every byte from the server is hostile until checked:
 * bodies are capped, the machine-readable index is parsed strictly and bounded, armor is looked for
 * inside whatever the server wraps it in.
 *
 * @module
 */
import { sifError } from '../errors.js';
import { checkOptions, is } from '../options.js';
import { httpRequest, type HttpOptions, type HttpResponse } from './http.js';

/** Where and how to reach a keyserver. */
export interface KeyserverOptions extends HttpOptions {
  /** The keyserver: `hkp://`, `hkps://`, `http://` or `https://`. */
  url: string;
  /** A bearer token (sent as `Authorization: BEARER <token>`; refused over plain http except to localhost). */
  token?: string;
  /** A whole `Authorization` value (`Basic …`, `Bearer …`, from singularity's stored logins); same rule as `token`. */
  authorization?: string;
  /** `User-Agent` header. */
  userAgent?: string;
}

/** One user ID of an index entry. */
export interface IndexUid {
  /** The user ID as the server sent it (escaped). */
  raw: string;
  /** Decoded (`%XX` escapes), or the raw text when it does not decode. */
  uid: string;
  /** Creation time, Unix seconds, or undefined. */
  created: number | undefined;
  /** Expiry time, Unix seconds, or undefined. */
  expires: number | undefined;
  /** Flags (`r` revoked, `d` disabled, `e` expired). */
  flags: string;
}

/** One key of an index. */
export interface IndexKey {
  /** Fingerprint or key ID as the server sent it (upper-case hex). */
  keyId: string;
  /** Public-key algorithm number (1 RSA, 17 DSA, 22 EdDSA, …), as text. */
  algorithm: string;
  /** Key length, as text. */
  bits: string;
  /** Creation date field as sent (Unix seconds, empty, or `none`). */
  created: string;
  /** Expiry date field as sent. */
  expires: string;
  /** Flags. */
  flags: string;
  /** User IDs. */
  uids: IndexUid[];
}

/** A parsed machine-readable index. */
export interface KeyIndex {
  /** The `info:` line's count, if the server sent one. */
  count: number | undefined;
  /** The keys, in the server's order. */
  keys: IndexKey[];
}

/** Most keys an index may list (singularity asks for 256 per page). */
export const MAX_INDEX_KEYS = 10_000;
/** Most user IDs per key accepted from an index. */
const MAX_UIDS = 1000;

const CHECKS = {
  url: is.string,
  token: is.string,
  authorization: is.string,
  userAgent: is.string,
  fetch: is.function,
  timeoutMs: is.int(1, 3_600_000),
  maxBytes: is.int(1, 1 << 30),
  signal: is.signal,
};

/**
 * A keyserver URL as singularity's client normalises it: `hkp` → `http` on port 11371 (unless given),
 * `hkps` → `https`, `http`/`https` as they are, anything else refused.
 *
 * @param url - the keyserver
 * @returns the base URL
 * @throws SifError `INVALID_ARGUMENT`
 */
export function keyserverUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw sifError('INVALID_ARGUMENT', `keyserver URL ${JSON.stringify(url)} is not a URL`);
  }
  const scheme = u.protocol.slice(0, -1);
  let out: URL;
  if (scheme === 'hkp') out = new URL(`http://${u.hostname.includes(':') ? `[${u.hostname}]` : u.hostname}:${u.port || '11371'}${u.pathname}`);
  else if (scheme === 'hkps') out = new URL(`https://${u.host}${u.pathname}`);
  else if (scheme === 'http' || scheme === 'https') out = new URL(u.href);
  else throw sifError('INVALID_ARGUMENT', `keyserver URL ${JSON.stringify(url)}: unsupported protocol scheme "${scheme}"`);
  if (u.username || u.password) throw sifError('INVALID_ARGUMENT', `keyserver URL ${JSON.stringify(url)}: credentials in the URL are not supported (use a token)`);
  return out;
}

const isLocal = (u: URL): boolean => u.hostname === 'localhost' || u.hostname === '127.0.0.1' || u.hostname === '[::1]';

function request(opts: KeyserverOptions, path: string, query: Record<string, string> | undefined, body?: string): Promise<HttpResponse> {
  const base = keyserverUrl(opts.url);
  const url = new URL(path, base); // absolute path: a base path is dropped, as the reference client does
  if (query) {
    // sorted keys, as Go's url.Values.Encode writes them
    const q = new URLSearchParams();
    for (const k of Object.keys(query).sort()) q.set(k, query[k]!);
    url.search = q.toString();
  }
  const headers: Record<string, string> = {};
  const auth = opts.authorization ?? (opts.token !== undefined ? `BEARER ${opts.token}` : undefined);
  if (auth !== undefined) {
    if (base.protocol !== 'https:' && !isLocal(base)) throw sifError('TLS_REQUIRED', `${base.origin}: TLS required when auth token provided`);
    headers.Authorization = auth;
  }
  if (opts.userAgent) headers['User-Agent'] = opts.userAgent;
  if (body !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const http: HttpOptions = {};
  if (opts.fetch) http.fetch = opts.fetch;
  if (opts.timeoutMs !== undefined) http.timeoutMs = opts.timeoutMs;
  if (opts.maxBytes !== undefined) http.maxBytes = opts.maxBytes;
  if (opts.signal) http.signal = opts.signal;
  return httpRequest(body === undefined ? { method: 'GET', url, headers } : { method: 'POST', url, headers, body }, http);
}

/** A non-2xx answer as the reference client words it: `404 Not Found[: <message>]`. */
function httpError(res: HttpResponse): Error {
  let msg = '';
  try {
    const j = JSON.parse(res.text) as { error?: { message?: unknown } };
    if (typeof j.error?.message === 'string') msg = j.error.message.slice(0, 500);
  } catch {
    // not the JSON error envelope
  }
  const text = `${res.status} ${res.statusText || 'Error'}${msg ? `: ${msg}` : ''}`;
  return sifError('HTTP_ERROR', `${res.url.origin}: ${text}`, { cause: { status: res.status } });
}

/**
 * The HTTP status behind an `HTTP_ERROR`.
 *
 * @param e - an error
 * @returns the status, or undefined
 */
export function httpStatus(e: unknown): number | undefined {
  const c = (e as { cause?: { status?: unknown } } | undefined)?.cause;
  return typeof c?.status === 'number' ? c.status : undefined;
}

/**
 * Searches a keyserver (`op=index`, machine readable), as `singularity key search` does.
 *
 * @param query - words, or a key ID / fingerprint (`0x…`)
 * @param opts - the keyserver
 * @returns the parsed index
 * @throws SifError `HTTP_ERROR` (404 when nothing matches), `RESPONSE_INVALID`, the HTTP errors
 */
export async function searchKeys(query: string, opts: KeyserverOptions): Promise<KeyIndex> {
  checkOptions('searchKeys', opts, CHECKS);
  const res = await request(opts, '/pks/lookup', { fingerprint: 'on', op: 'index', options: 'mr', search: query, 'x-pagesize': '256' });
  if (res.status < 200 || res.status > 299) throw httpError(res);
  return parseIndex(res.text);
}

/**
 * Fetches keys by key ID or fingerprint (`op=get`, exact), as `singularity key pull` and `verify` do.
 *
 * @param id - 8, 16 or 40 hex digits (with or without `0x`)
 * @param opts - the keyserver
 * @returns the armored key block(s) the server sent (whatever wrapped them removed)
 * @throws SifError `INVALID_ARGUMENT`, `HTTP_ERROR`, `RESPONSE_INVALID`, the HTTP errors
 */
export async function fetchKeys(id: string, opts: KeyserverOptions): Promise<string> {
  checkOptions('fetchKeys', opts, CHECKS);
  const hex = id.replace(/^0x/i, '');
  if (!/^([0-9a-fA-F]{8}|[0-9a-fA-F]{16}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(hex)) {
    throw sifError('INVALID_ARGUMENT', `${JSON.stringify(id)} is not a key ID or fingerprint (8, 16, 40 or 64 hex digits)`);
  }
  const res = await request(opts, '/pks/lookup', { exact: 'on', op: 'get', options: 'mr', search: `0x${hex.toLowerCase()}` });
  if (res.status < 200 || res.status > 299) throw httpError(res);
  return extractArmor(res.text, res.url.origin);
}

/**
 * Submits an armored public key (`POST /pks/add`, `keytext=`).
 *
 * @param armored - the ASCII-armored public key block
 * @param opts - the keyserver
 * @throws SifError `INVALID_ARGUMENT`, `HTTP_ERROR`, the HTTP errors
 */
export async function submitKey(armored: string, opts: KeyserverOptions): Promise<void> {
  checkOptions('submitKey', opts, CHECKS);
  if (!armored.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) throw sifError('INVALID_ARGUMENT', 'submitKey: not an armored public key block');
  const res = await request(opts, '/pks/add', undefined, new URLSearchParams({ keytext: armored }).toString());
  if (res.status < 200 || res.status > 299) throw httpError(res);
}

/**
 * The armored key blocks in a response (SKS wraps them in HTML without `options=mr`).
 *
 * @param text - the response body
 * @param origin - the server, for messages
 * @returns the armored blocks, joined by newlines
 * @throws SifError `RESPONSE_INVALID` when there is none
 */
export function extractArmor(text: string, origin: string): string {
  const blocks = text.match(/-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/g);
  if (!blocks) throw sifError('RESPONSE_INVALID', `${origin}: the answer holds no armored public key block`);
  return blocks.join('\n') + '\n';
}

/** `%XX` decoding as Go's url.QueryUnescape (`+` is a space); undefined when it does not decode. */
function queryUnescape(s: string): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(s)) return undefined;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * Parses a machine-readable index (`info:`, `pub:`, `uid:` lines; others ignored).
 *
 * @param text - the body
 * @returns the index
 * @throws SifError `RESPONSE_INVALID` for a `pub`/`info` line that does not parse or too many keys
 */
export function parseIndex(text: string): KeyIndex {
  const bad = (why: string): never => {
    throw sifError('RESPONSE_INVALID', `keyserver index: ${why}`);
  };
  const out: KeyIndex = { count: undefined, keys: [] };
  let n = 0;
  for (const raw of text.split('\n')) {
    n++;
    const line = raw.trim();
    const f = line.split(':');
    switch (f[0]) {
      case 'info': {
        const c = f[2] ?? '';
        if (!/^[0-9]{1,9}$/.test(c)) bad(`line ${n}: info count ${JSON.stringify(c.slice(0, 20))} is not a number`);
        out.count = Number(c);
        break;
      }
      case 'pub': {
        if (f.length < 4) bad(`line ${n}: a pub line needs at least 4 fields`);
        const keyId = f[1]!;
        if (!/^[0-9A-Fa-f]{8,64}$/.test(keyId)) bad(`line ${n}: key ID ${JSON.stringify(keyId.slice(0, 80))} is not hex`);
        if (!/^[0-9]{0,4}$/.test(f[2]!) || !/^[0-9]{0,6}$/.test(f[3]!)) bad(`line ${n}: algorithm or key length is not a number`);
        if (out.keys.length >= MAX_INDEX_KEYS) bad(`more than ${MAX_INDEX_KEYS} keys`);
        out.keys.push({ keyId: keyId.toUpperCase(), algorithm: f[2]!, bits: f[3]!, created: f[4] ?? '', expires: f[5] ?? '', flags: f[6] ?? '', uids: [] });
        break;
      }
      case 'uid': {
        const key = out.keys[out.keys.length - 1];
        if (!key) break; // a uid before any pub: ignored, as singularity ignores it
        if (key.uids.length >= MAX_UIDS) bad(`line ${n}: more than ${MAX_UIDS} user IDs on one key`);
        const rawUid = f[1] ?? '';
        const num = (s: string | undefined): number | undefined => (s && /^[0-9]{1,12}$/.test(s) ? Number(s) : undefined);
        key.uids.push({ raw: rawUid, uid: queryUnescape(rawUid) ?? rawUid, created: num(f[2]), expires: num(f[3]), flags: f[4] ?? '' });
        break;
      }
      default:
    }
  }
  return out;
}
