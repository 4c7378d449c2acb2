/**
 * Which keyservers a command talks to, as singularity decides: `--url` (one server), else
 * `$SIFKIT_KEYSERVER`, else the active remote endpoint of `remote.yaml` (its listed keyservers, or the
 * one its service discovery names, with its token or stored login). `key` commands fall back to
 * singularity's default keyserver with its warning; `verify` does not (no configuration, no request).
 *
 * @module
 */
import { endpointKeyservers, readRemoteConfig } from '../clients/remote-config.js';
import type { KeyserverOptions } from '../clients/hkp.js';
import { nodeFetch } from '../clients/node-fetch.js';
import { readSmallFile } from '../io/node.js';
import type { Parsed } from './args.js';
import type { CliIO } from './io.js';
import { log } from './log.js';

/** singularity's fallback keyserver. */
export const DEFAULT_KEYSERVER = 'https://keys.sylabs.io';

/**
 * The keyservers to use, in the order to try them.
 *
 * @param io - the process
 * @param v - parsed flags (`url`, `token-file`)
 * @param fallback - use singularity's default keyserver when nothing is configured (`key` commands)
 * @param base - options for every request
 * @returns keyserver options (empty: none configured and no fallback)
 */
export async function keyservers(io: CliIO, v: Parsed['values'], fallback: boolean, base: Omit<KeyserverOptions, 'url'> = {}): Promise<KeyserverOptions[]> {
  let token: string | undefined;
  if (typeof v['token-file'] === 'string') token = new TextDecoder().decode(await readSmallFile(v['token-file'])).trim();
  else if (io.env.SIFKIT_KEYSERVER_TOKEN) token = io.env.SIFKIT_KEYSERVER_TOKEN;
  const withToken = (o: KeyserverOptions): KeyserverOptions => (token !== undefined ? { ...o, authorization: `BEARER ${token}` } : o);
  // proxies from the environment and $SIFKIT_CA_FILE on every request; insecure only where configured
  const fetchFor = (insecure: boolean): typeof fetch => nodeFetch({ insecure, env: io.env });
  base = { fetch: fetchFor(false), ...base };
  const explicit = typeof v.url === 'string' ? v.url : io.env.SIFKIT_KEYSERVER;
  if (explicit) return [withToken({ ...base, url: explicit })];
  const cfg = await readRemoteConfig(io.env);
  if (cfg) {
    const list = (await endpointKeyservers(cfg, base)).map(({ insecure, ...o }) => (insecure ? { ...o, fetch: fetchFor(true) } : o));
    if (list.length) return token !== undefined ? list.map(withToken) : list;
  }
  if (!fallback) return [];
  log(io, 'WARNING', `No default remote in use, falling back to default keyserver: ${DEFAULT_KEYSERVER}`);
  return [withToken({ ...base, url: DEFAULT_KEYSERVER })];
}
