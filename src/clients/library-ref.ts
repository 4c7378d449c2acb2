/**
 * `library://` references, as the reference library client (`client/ref.go`, Go's `net/url` rules
 * for the parts it uses) and singularity (`NormalizeLibraryRef`, `uri.Filename`) read them.
 *
 * Hand-written: the rules are Go's URL parser's (opaque paths, `%25` zones in IPv6 hosts, which
 * errors it raises), which WHATWG `URL` does not follow; the reference's own table is the test.
 *
 * @module
 */
import { sifError } from '../errors.js';

/** A parsed reference (`client.Ref`). */
export interface LibraryRef {
  /** `host` or `host:port` ("" when none). */
  host: string;
  /** `project`, `entity/project` or `entity/collection/container`, with a leading `/` when the ref had one. */
  path: string;
  /** Tags after `:` (undefined when there were none). */
  tags?: string[];
}

/** Why a reference was refused (the reference client's error values). */
export type LibraryRefProblem = 'INVALID_URL' | 'SCHEME' | 'USER' | 'QUERY' | 'FRAGMENT' | 'PATH' | 'TAGS';

const MESSAGES: Record<LibraryRefProblem, string> = {
  INVALID_URL: 'not a valid URL',
  SCHEME: 'library: ref scheme not valid',
  USER: 'library: user not permitted in ref',
  QUERY: 'library: query not permitted in ref',
  FRAGMENT: 'library: fragment not permitted in ref',
  PATH: 'library: ref path not valid',
  TAGS: 'library: ref tags not valid',
};

function refused(problem: LibraryRefProblem, raw: string): never {
  throw sifError('INVALID_REFERENCE', `${MESSAGES[problem]}: ${JSON.stringify(raw)}`);
}

function unescape(s: string, raw: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return refused('INVALID_URL', raw);
  }
}

/** Go `url.Parse`'s host check: `[v6%zone]:port` or `name:port`, the port all digits. */
function parseHost(host: string, raw: string): string {
  let rest = host;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) refused('INVALID_URL', raw);
    rest = host.slice(end + 1);
    if (rest !== '' && !/^:\d*$/.test(rest)) refused('INVALID_URL', raw);
    return unescape(host.slice(0, end + 1), raw) + rest;
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && !/^\d*$/.test(host.slice(colon + 1))) refused('INVALID_URL', raw);
  if (/[^A-Za-z0-9.\-_~!$&'()*+,;=:%]/.test(host)) refused('INVALID_URL', raw);
  return unescape(host, raw);
}

/**
 * Parses a `library:` reference as the reference client's `Parse` does.
 *
 * @param raw - e.g. `library://host/entity/collection/container:tag1,tag2`
 * @returns host, path and tags
 * @throws SifError `INVALID_REFERENCE` (its `problem`: which rule)
 */
export function parseLibraryRef(raw: string): LibraryRef {
  let rest = raw;
  // scheme
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (!m) {
    if (rest.startsWith(':')) refused('INVALID_URL', raw); // Go: missing protocol scheme
    refused('SCHEME', raw);
  }
  const scheme = m[1]!.toLowerCase();
  rest = rest.slice(m[0].length);
  const hash = rest.indexOf('#');
  const fragment = hash >= 0 ? rest.slice(hash + 1) : '';
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const query = q >= 0 ? rest.slice(q + 1) : '';
  if (q >= 0) rest = rest.slice(0, q);
  let host = '';
  let user = false;
  let path = '';
  let opaque = '';
  if (!rest.startsWith('/')) {
    opaque = rest;
  } else {
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      const authority = slash >= 0 ? rest.slice(2, slash) : rest.slice(2);
      rest = slash >= 0 ? rest.slice(slash) : '';
      const at = authority.lastIndexOf('@');
      user = at >= 0;
      host = parseHost(at >= 0 ? authority.slice(at + 1) : authority, raw);
    }
    path = unescape(rest, raw);
  }
  if (scheme !== 'library') refused('SCHEME', raw);
  if (user) refused('USER', raw);
  if (query !== '') refused('QUERY', raw);
  if (fragment !== '') refused('FRAGMENT', raw);
  const rawPath = opaque !== '' ? opaque : path;
  if (rawPath === '') refused('PATH', raw);
  const parts = rawPath.split(':');
  if (parts.length > 2) refused('PATH', raw);
  const p = parts[0]!;
  if (p.replace(/^\//, '') === '') refused('PATH', raw);
  const out: LibraryRef = { host, path: p };
  if (parts.length > 1) {
    if (parts[1] === '') refused('TAGS', raw);
    out.tags = parts[1]!.split(',');
  }
  return out;
}

/**
 * A reference as text (`Ref.String()`).
 *
 * @param ref - the reference
 * @returns e.g. `library://host/entity/project:tag`
 */
export function formatLibraryRef(ref: LibraryRef): string {
  let p = ref.path;
  if (ref.tags && ref.tags.length > 0) p += `:${ref.tags.join(',')}`;
  const host = ref.host.replace(/%/g, '%25');
  if (p.startsWith('/')) return `library:${host !== '' ? `//${host}` : '//'}${p}`;
  return host !== '' ? `library://${host}/${p}` : `library:${p}`;
}

const PART = '[a-z0-9]+(?:[._-][a-z0-9]+)*';
const PULL_REF = new RegExp(`^(library://)?(${PART}/){0,2}(${PART})(:${PART})?$`);
const PUSH_REF = new RegExp(`^(library://)?(${PART}/){2}(${PART})(:[a-z0-9]+(?:[,._-][a-z0-9]+)*)?$`);
const IMAGE_HASH = /^((sha256\.[a-f0-9]{64})|(sif\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))$/;

/** `IsLibraryPullRef`. */
export const isLibraryPullRef = (ref: string): boolean => PULL_REF.test(ref);
/** `IsLibraryPushRef`: exactly entity/collection/container, tags may be comma-separated. */
export const isLibraryPushRef = (ref: string): boolean => PUSH_REF.test(ref);
/** `IsRefPart`: an entity, collection or container name. */
export const isRefPart = (part: string): boolean => new RegExp(`^${PART}$`).test(part);
/** `IsImageHash`: `sha256.<hex>` or `sif.<uuid>`. */
export const isImageHash = (s: string): boolean => IMAGE_HASH.test(s);

/** A reference as singularity uses it: the host (if the ref named one), the path, the tags. */
export interface NormalizedRef {
  /** Host from `library://host/e/c/ct` ("" when none). */
  host: string;
  /** `e/c/ct` (or a shorter path the server maps). */
  path: string;
  /** Tags; `['latest']` when none were given. */
  tags: string[];
}

/**
 * singularity's `NormalizeLibraryRef`: strip `library://` (or `library:`); more than two `/` make the
 * first component the host; one `:` splits the tags (comma-separated); the default tag is `latest`.
 *
 * @param ref - `library://…` or a bare path
 * @returns host, path and tags
 * @throws SifError `INVALID_REFERENCE`
 */
export function normalizeLibraryRef(ref: string): NormalizedRef {
  let s = ref.startsWith('library://') ? ref.slice(10) : ref.startsWith('library:') ? ref.slice(8) : ref;
  let host = '';
  if (s.split('/').length - 1 > 2) {
    const i = s.indexOf('/');
    host = s.slice(0, i);
    s = s.slice(i + 1);
  }
  const colon = s.indexOf(':');
  const path = colon >= 0 ? s.slice(0, colon) : s;
  const tagText = colon >= 0 ? s.slice(colon + 1) : '';
  if (path === '' || path.split('/').some((p) => p === '')) refused('PATH', ref);
  const tags = tagText === '' ? ['latest'] : tagText.split(',');
  if (tags.some((t) => t === '')) refused('TAGS', ref);
  return { host, path, tags };
}

/**
 * The file name `singularity pull` gives an image by default (`uri.Filename`): `<container>_<tag>.sif`.
 *
 * @param ref - the reference
 * @returns e.g. `alpine_latest.sif`
 */
export function pullFileName(ref: string): string {
  const n = normalizeLibraryRef(ref);
  const container = n.path.split('/').pop()!;
  return `${container}_${n.tags[0]}.sif`;
}
