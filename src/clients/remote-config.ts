/**
 * singularity's remote configuration (`remote.yaml`), read the way singularity reads it, for the
 * keyservers and tokens of the active remote endpoint: the user file (`$SINGULARITY_CONFIGDIR`, else
 * `~/.singularity`; apptainer's `$APPTAINER_CONFIGDIR`, else `~/.apptainer`) and the system file
 * (`/usr/local/etc/singularity/remote.yaml`, or `$SIFKIT_SYSTEM_REMOTE_CONFIG`). Read-only: sifkit
 * never writes it.
 *
 * @module
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { sifError } from '../errors.js';
import { readSmallFile } from '../io/node.js';
import { httpRequest } from './http.js';
import { keyserverUrl, type KeyserverOptions } from './hkp.js';

/** A keyserver of an endpoint. */
export interface EndpointKeyserver {
  /** Its URL. */
  uri: string;
  /** Not used. */
  skip: boolean;
  /** Not the endpoint's own (SCS) keyserver. */
  external: boolean;
  /** TLS certificate checks off. */
  insecure: boolean;
}

/** A remote endpoint. */
export interface Endpoint {
  /** Host and path, no scheme (`cloud.sylabs.io`). */
  uri: string;
  /** Access token. */
  token?: string;
  /** From the system file. */
  system: boolean;
  /** Refuses other keyservers and libraries. */
  exclusive: boolean;
  /** Plain http for discovery. */
  insecure: boolean;
  /** Keyservers listed for it. */
  keyservers: EndpointKeyserver[];
}

/** A stored keyserver login. */
export interface StoredCredential {
  /** The keyserver it is for. */
  uri: string;
  /** The `Authorization` value (`Basic …` or `Bearer …`). */
  auth: string;
  /** TLS certificate checks off. */
  insecure: boolean;
}

/** A keyserver to use, with its `Insecure` flag. */
export interface ResolvedKeyserver extends KeyserverOptions {
  /** TLS certificate checks off for it (remote.yaml `Insecure: true`). */
  insecure: boolean;
}

/** The configuration. */
export interface RemoteConfig {
  /** The active endpoint's name. */
  active: string | undefined;
  /** Endpoints by name. */
  remotes: Record<string, Endpoint>;
  /** Stored keyserver logins (`Authorization` header values by URL). */
  credentials: StoredCredential[];
  /** The files read. */
  files: string[];
}

const bad = (file: string, why: string): never => {
  throw sifError('INVALID_ARGUMENT', `${file}: ${why}`);
};

async function decode(file: string, text: string): Promise<Omit<RemoteConfig, 'files'>> {
  // the YAML parser is loaded only when a configuration file exists
  const { parse } = await import('yaml');
  let v: unknown;
  try {
    v = parse(text, { maxAliasCount: 10 });
  } catch (e) {
    return bad(file, `not YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const obj = (x: unknown, where: string): Record<string, unknown> => {
    if (x === null || x === undefined) return {};
    if (typeof x !== 'object' || Array.isArray(x)) bad(file, `${where} is not a mapping`);
    return x as Record<string, unknown>;
  };
  const str = (x: unknown, where: string): string | undefined => {
    if (x === undefined || x === null) return undefined;
    if (typeof x !== 'string') bad(file, `${where} is not a string`);
    return x as string;
  };
  const bool = (x: unknown, where: string): boolean => {
    if (x === undefined || x === null) return false;
    if (typeof x !== 'boolean') bad(file, `${where} is not true or false`);
    return x as boolean;
  };
  const root = obj(v, 'the file');
  const remotes: Record<string, Endpoint> = {};
  for (const [name, r] of Object.entries(obj(root.Remotes, 'Remotes'))) {
    const e = obj(r, `Remotes.${name}`);
    const ks = e.Keyservers ?? [];
    if (!Array.isArray(ks)) bad(file, `Remotes.${name}.Keyservers is not a list`);
    const token = str(e.Token, `Remotes.${name}.Token`);
    remotes[name] = {
      uri: str(e.URI, `Remotes.${name}.URI`) ?? '',
      ...(token ? { token } : {}),
      system: bool(e.System, `Remotes.${name}.System`),
      exclusive: bool(e.Exclusive, `Remotes.${name}.Exclusive`),
      insecure: bool(e.Insecure, `Remotes.${name}.Insecure`),
      keyservers: (ks as unknown[]).map((k, i) => {
        const o = obj(k, `Remotes.${name}.Keyservers[${i}]`);
        return {
          uri: str(o.URI, `Remotes.${name}.Keyservers[${i}].URI`) ?? '',
          skip: bool(o.Skip, 'Skip'),
          external: bool(o.External, 'External'),
          insecure: bool(o.Insecure, 'Insecure'),
        };
      }),
    };
  }
  const creds = root.Credentials ?? [];
  if (!Array.isArray(creds)) bad(file, 'Credentials is not a list');
  return {
    active: str(root.Active, 'Active'),
    remotes,
    credentials: (creds as unknown[]).map((c, i) => {
      const o = obj(c, `Credentials[${i}]`);
      return { uri: str(o.URI, `Credentials[${i}].URI`) ?? '', auth: str(o.Auth, `Credentials[${i}].Auth`) ?? '', insecure: bool(o.Insecure, 'Insecure') };
    }),
  };
}

async function readIfThere(file: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await readSmallFile(file));
  } catch (e) {
    if ((e as { code?: string }).code === 'IO_ERROR' && /no such file/.test((e as Error).message)) return undefined;
    throw e;
  }
}

/**
 * The user's and the system's remote configuration, merged as singularity merges them (system
 * endpoints added to the user's; an exclusive system endpoint is the active one).
 *
 * @param env - the environment
 * @returns the configuration, or undefined when neither file exists
 * @throws SifError `INVALID_ARGUMENT` for a file that does not decode
 */
export async function readRemoteConfig(env: Record<string, string | undefined>): Promise<RemoteConfig | undefined> {
  const home = env.HOME ?? homedir();
  const userDir = env.SINGULARITY_CONFIGDIR ?? env.APPTAINER_CONFIGDIR ?? join(home, '.singularity');
  const candidates = [join(userDir, 'remote.yaml')];
  if (!env.SINGULARITY_CONFIGDIR && !env.APPTAINER_CONFIGDIR) candidates.push(join(home, '.apptainer', 'remote.yaml'));
  const systemFile = env.SIFKIT_SYSTEM_REMOTE_CONFIG ?? '/usr/local/etc/singularity/remote.yaml';
  let user: Omit<RemoteConfig, 'files'> | undefined;
  const files: string[] = [];
  for (const f of candidates) {
    const text = await readIfThere(f);
    if (text !== undefined) {
      user = await decode(f, text);
      files.push(f);
      break;
    }
  }
  const sysText = await readIfThere(systemFile);
  const system = sysText !== undefined ? await decode(systemFile, sysText) : undefined;
  if (system) files.push(systemFile);
  if (!user && !system) return undefined;
  const out: RemoteConfig = { active: user?.active, remotes: { ...(user?.remotes ?? {}) }, credentials: [...(user?.credentials ?? [])], files };
  for (const [name, e] of Object.entries(system?.remotes ?? {})) {
    out.remotes[name] ??= { ...e, system: true };
    if (e.exclusive) out.active = name;
  }
  out.active ??= system?.active;
  return out;
}

/** The scheme and host (with the default port made explicit) of a keyserver URL, to compare two. */
function sameServer(a: string, b: string): boolean {
  try {
    const x = keyserverUrl(a);
    const y = keyserverUrl(b);
    const port = (u: URL): string => u.port || (u.protocol === 'https:' ? '443' : '80');
    return x.protocol === y.protocol && x.hostname === y.hostname && port(x) === port(y);
  } catch {
    return false;
  }
}

/**
 * The keyservers of the active endpoint, in order, with the credential singularity would send to
 * each: a stored login (`Credentials`), else the endpoint's token for its own keyserver. An endpoint
 * that lists none has its keyserver discovered from `<endpoint>/assets/config/config.prod.json`.
 *
 * @param cfg - the configuration
 * @param base - options every request gets (fetch, time-outs)
 * @returns keyserver options, in the order to try them, each with its `Insecure` flag (empty when
 *   there is no active endpoint)
 */
export async function endpointKeyservers(cfg: RemoteConfig, base: Omit<KeyserverOptions, 'url'> = {}): Promise<ResolvedKeyserver[]> {
  const ep = cfg.active ? cfg.remotes[cfg.active] : undefined;
  if (!ep) return [];
  let list = ep.keyservers.filter((k) => !k.skip && k.uri);
  if (list.length === 0) {
    const discovered = await discoverKeyserver(ep, base);
    list = discovered ? [{ uri: discovered, skip: false, external: false, insecure: ep.insecure }] : [];
  }
  return list.map((k) => {
    const o: ResolvedKeyserver = { ...base, url: k.uri, insecure: k.insecure };
    const cred = cfg.credentials.find((c) => sameServer(c.uri, k.uri));
    if (cred?.auth) {
      o.authorization = cred.auth;
      if (cred.insecure) o.insecure = true;
    }
    else if (!k.external && ep.token) o.authorization = `Bearer ${ep.token}`;
    return o;
  });
}

/** The endpoint's keystore URI from its service discovery file, or undefined. */
async function discoverKeyserver(ep: Endpoint, base: Omit<KeyserverOptions, 'url'>): Promise<string | undefined> {
  return discoverService(ep, 'keystore', base);
}

/**
 * A service's URI from an endpoint's discovery file (`<endpoint>/assets/config/config.prod.json`,
 * `<name>API.uri`; `keystore` also answers to `keyserverAPI`), or undefined when it lists none.
 *
 * @param ep - the endpoint
 * @param name - `library`, `keystore`, `builder`, `token`, …
 * @param base - fetch options
 * @returns the URI
 * @throws SifError `HTTP_ERROR`, `RESPONSE_INVALID`, network errors
 */
export async function discoverService(ep: Endpoint, name: string, base: Omit<KeyserverOptions, 'url'> = {}): Promise<string | undefined> {
  if (!ep.uri) return undefined;
  // one request per endpoint: the document is kept with the Endpoint object it was read for (a
  // command asking for several services fetches it once; a new configuration read, a new request)
  let doc = discovered.get(ep);
  if (!doc) {
    doc = fetchServices(ep, base);
    discovered.set(ep, doc);
    doc.catch(() => discovered.delete(ep));
  }
  const o = await doc;
  const svc = o[`${name}API`] ?? (name === 'keystore' ? o.keyserverAPI : undefined);
  return typeof svc?.uri === 'string' ? svc.uri : undefined;
}

const discovered = new WeakMap<Endpoint, Promise<Record<string, { uri?: unknown } | undefined>>>();

async function fetchServices(ep: Endpoint, base: Omit<KeyserverOptions, 'url'>): Promise<Record<string, { uri?: unknown } | undefined>> {
  const url = new URL(`${ep.insecure ? 'http' : 'https'}://${ep.uri.replace(/\/+$/, '')}/assets/config/config.prod.json`);
  const res = await httpRequest({ method: 'GET', url }, { ...(base.fetch ? { fetch: base.fetch } : {}), timeoutMs: 10_000, maxBytes: 1 << 20 });
  if (res.status !== 200) throw sifError('HTTP_ERROR', `${url.href}: ${res.status} ${res.statusText}`, { cause: { status: res.status } });
  let j: unknown;
  try {
    j = JSON.parse(res.text);
  } catch {
    throw sifError('RESPONSE_INVALID', `${url.href}: not JSON`);
  }
  return typeof j === 'object' && j !== null ? (j as Record<string, { uri?: unknown } | undefined>) : {};
}
