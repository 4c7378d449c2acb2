/**
 * Which library a command talks to, as singularity decides: a host named in the reference
 * (`library://host/e/c/ct`, https unless `--nohttps`), else `--library URL`, else the active remote
 * endpoint's `libraryAPI` (service discovery), else singularity's default `https://library.sylabs.io`.
 * The token is the active endpoint's (`remote login`) when its library is used, or
 * `$SIFKIT_LIBRARY_TOKEN`.
 *
 * @module
 */
import { LibraryClient } from '../clients/library.js';
import { discoverService, readRemoteConfig, type Endpoint, type RemoteConfig } from '../clients/remote-config.js';
import { nodeFetch } from '../clients/node-fetch.js';
import type { Parsed } from './args.js';
import { UsageError, type CliIO } from './io.js';

/** singularity's default library. */
export const DEFAULT_LIBRARY = 'https://library.sylabs.io';

/** A resolved library. */
export interface LibraryEndpoint {
  /** The client. */
  client: LibraryClient;
  /** Whether a token is set. */
  token: boolean;
  /** The endpoint's web address (`https://<remote URI>`), when the endpoint's own library is used. */
  webUrl?: string;
}

/** Go's `runtime.GOARCH` of this machine. */
export function goArch(): string {
  const m: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', mips: 'mips', mipsel: 'mipsle' };
  return m[process.arch] ?? process.arch;
}

/**
 * Resolves the library for a command.
 *
 * @param io - the process
 * @param v - flags (`library`, `nohttps`)
 * @param host - the host a reference named ("" when none)
 * @param config - remote.yaml already read by the caller (default: read here)
 * @returns the client and what it knows
 */
export async function libraryEndpoint(io: CliIO, v: Parsed['values'], host = '', config?: RemoteConfig): Promise<LibraryEndpoint> {
  const explicit = typeof v.library === 'string' ? v.library : undefined;
  if (host && explicit) throw new UsageError('Conflicting arguments; do not use --library with a library URI containing host name');
  const envToken = io.env.SIFKIT_LIBRARY_TOKEN;
  const make = (baseUrl: string, token: string | undefined, insecure = false, webUrl?: string): LibraryEndpoint => ({
    client: new LibraryClient({ baseUrl, ...(token ? { token } : {}), fetch: nodeFetch({ insecure, env: io.env }), userAgent: 'sifkit' }),
    token: Boolean(token),
    ...(webUrl ? { webUrl } : {}),
  });
  if (host) return make(`${v.nohttps ? 'http' : 'https'}://${host}`, envToken);
  const cfg = config ?? (await readRemoteConfig(io.env));
  const ep = cfg?.active ? cfg.remotes[cfg.active] : undefined;
  if (explicit) return make(explicit, envToken ?? (ep?.token && (await sameLibrary(explicit, ep, io)) ? ep.token : undefined));
  if (ep) {
    const lib = await discoverService(ep, 'library', { fetch: nodeFetch({ insecure: ep.insecure, env: io.env }) });
    if (!lib) throw new Error(`library is not a service at endpoint ${ep.uri}`);
    return make(lib, envToken ?? ep.token, ep.insecure, `${ep.insecure ? 'http' : 'https'}://${ep.uri.replace(/\/+$/, '')}`);
  }
  return make(DEFAULT_LIBRARY, envToken, false, 'https://cloud.sylabs.io');
}

async function sameLibrary(url: string, ep: Endpoint, io: CliIO): Promise<boolean> {
  try {
    const lib = await discoverService(ep, 'library', { fetch: nodeFetch({ insecure: ep.insecure, env: io.env }) });
    return lib !== undefined && new URL(lib).origin === new URL(url).origin;
  } catch {
    return false;
  }
}
