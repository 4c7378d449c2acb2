/**
 * `sifkit remote add | remove | use | list | login | logout | status`: singularity's endpoint
 * commands, editing the same `remote.yaml` (so one configuration serves both tools; keys sifkit does
 * not know are kept). `login` checks the token with the endpoint's `token-status` service first.
 *
 * @module
 */
import { readSmallFile } from '../../io/node.js';
import { discoverService, readRemoteConfig, type Endpoint } from '../../clients/remote-config.js';
import { editRemoteConfig, remoteConfigFile, type RemoteDoc } from '../../clients/remote-write.js';
import { nodeFetch } from '../../clients/node-fetch.js';
import { httpRequest } from '../../clients/http.js';
import { parseFlags } from '../args.js';
import { EXIT, UsageError, errorText, writeAll, type CliIO } from '../io.js';
import { log } from '../log.js';
import { Prompter } from '../prompt.js';
import { tabwrite } from '../text.js';

const HELP = `Manage library endpoints and access tokens (singularity's remote.yaml)

Usage:
  sifkit remote add [--global] [--insecure] [--no-default] NAME URI
  sifkit remote remove [--global] NAME
  sifkit remote use [--global] NAME
  sifkit remote list
  sifkit remote login [--tokenfile FILE] [NAME]
  sifkit remote logout [NAME]
  sifkit remote status [NAME]

Flags:
      --global           edit the system file (root) instead of the user's
      --insecure         reach the endpoint over http
      --no-default       do not make the new endpoint the active one
      --tokenfile FILE   read the access token from FILE (first line)
  -h, --help             help for remote

The user's file is $SINGULARITY_CONFIGDIR/remote.yaml (default ~/.singularity/remote.yaml), written
with mode 0600.
`;

const exactly = (p: string[], n: number): void => {
  if (p.length !== n) throw new UsageError(`accepts ${n} arg(s), received ${p.length}`);
};

/** The endpoint a command is about: the one named, else the active one. */
async function endpointNamed(io: CliIO, name: string | undefined): Promise<{ name: string; ep: Endpoint; global: boolean }> {
  const cfg = await readRemoteConfig(io.env);
  const n = name ?? cfg?.active;
  const ep = n ? cfg?.remotes[n] : undefined;
  if (!n || !ep) throw new Error(n ? `remote ${n} does not exist` : 'no remote endpoint is active: use sifkit remote add NAME URI');
  return { name: n, ep, global: ep.system };
}

/** `GET <tokenAPI>/v1/token-status` with the token: singularity's check. */
async function verifyToken(io: CliIO, ep: Endpoint, token: string): Promise<void> {
  const fetch = nodeFetch({ insecure: ep.insecure, env: io.env });
  const tokenApi = await discoverService(ep, 'token', { fetch });
  if (!tokenApi) throw new Error(`token is not a service at endpoint ${ep.uri}`);
  const url = new URL(`${tokenApi.replace(/\/+$/, '')}/v1/token-status`);
  const res = await httpRequest({ method: 'GET', url, headers: { Authorization: `Bearer ${token}` } }, { fetch, timeoutMs: 10_000, maxBytes: 1 << 20 });
  if (res.status === 200) return;
  throw new Error(`error response from server: ${res.status === 404 || res.status === 401 ? 'Invalid Credentials' : res.status === 500 ? 'Internal Server Error' : 'Unknown'}`);
}

async function doc(io: CliIO, global: boolean): Promise<RemoteDoc> {
  return editRemoteConfig(remoteConfigFile(io.env, global));
}

/**
 * Runs `sifkit remote`.
 *
 * @param args - arguments
 * @param io - the process
 * @returns exit status
 */
export async function run(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseFlags(rest, {
    global: { type: 'boolean' },
    insecure: { type: 'boolean' },
    'no-default': { type: 'boolean' },
    tokenfile: { type: 'string' },
  });
  if (sub === undefined || sub === '-h' || sub === '--help' || values.help) {
    await writeAll(io.stdout, HELP);
    return EXIT.OK;
  }
  const global = values.global === true;
  try {
    switch (sub) {
      case 'add': {
        exactly(positionals, 2);
        const [name, uriText] = positionals as [string, string];
        const d = await doc(io, global);
        if (d.remotes().includes(name)) throw new Error(`remote ${name} already exists`);
        let uri = uriText;
        try {
          const u = new URL(uriText.includes('://') ? uriText : `https://${uriText}`);
          uri = u.host + u.pathname.replace(/\/+$/, '');
        } catch {
          throw new UsageError(`invalid URI ${JSON.stringify(uriText)}`);
        }
        d.set(['Remotes', name, 'URI'], uri);
        if (global) d.set(['Remotes', name, 'System'], true);
        if (values.insecure === true) d.set(['Remotes', name, 'Insecure'], true);
        if (values['no-default'] !== true) d.set(['Active'], name);
        await d.save();
        log(io, 'INFO', `Remote "${name}" added.`);
        if (values['no-default'] !== true) log(io, 'INFO', `Remote "${name}" now in use.`);
        return EXIT.OK;
      }
      case 'remove': {
        exactly(positionals, 1);
        const d = await doc(io, global);
        const name = positionals[0]!;
        if (!d.remotes().includes(name)) throw new Error(`remote ${name} does not exist`);
        d.delete(['Remotes', name]);
        if (d.get(['Active']) === name) d.delete(['Active']);
        await d.save();
        log(io, 'INFO', `Remote "${name}" removed.`);
        return EXIT.OK;
      }
      case 'use': {
        exactly(positionals, 1);
        const name = positionals[0]!;
        const cfg = await readRemoteConfig(io.env);
        if (!cfg?.remotes[name]) throw new Error(`remote ${name} does not exist`);
        const d = await doc(io, global);
        d.set(['Active'], name);
        await d.save();
        log(io, 'INFO', `Remote "${name}" now in use.`);
        return EXIT.OK;
      }
      case 'list': {
        exactly(positionals, 0);
        const cfg = await readRemoteConfig(io.env);
        const mark = (b: boolean): string => (b ? '✓' : '');
        let t = 'NAME\tURI\tDEFAULT?\tGLOBAL?\tEXCLUSIVE?\tSECURE?\n';
        for (const name of Object.keys(cfg?.remotes ?? {}).sort()) {
          const ep = cfg!.remotes[name]!;
          t += `${name}\t${ep.uri}\t${mark(cfg!.active === name)}\t${mark(ep.system)}\t${mark(ep.exclusive)}\t${ep.insecure ? '✗!' : '✓'}\n`;
        }
        await writeAll(io.stdout, `\n${tabwrite(t, 2)}`);
        return EXIT.OK;
      }
      case 'login': {
        if (positionals.length > 1) throw new UsageError(`accepts at most 1 arg(s), received ${positionals.length}`);
        const { name, ep, global: sys } = await endpointNamed(io, positionals[0]);
        let token: string;
        if (typeof values.tokenfile === 'string') token = new TextDecoder().decode(await readSmallFile(values.tokenfile)).split('\n')[0]!.trim();
        else {
          io.stderr.write(`Generate an access token at https://${ep.uri}/auth/tokens, and paste it here.\nToken entered will be hidden for security.\n`);
          token = (await new Prompter(io).ask('Access Token: ', true)).trim();
        }
        if (token.length < 200) throw new Error('token is too short to be valid');
        if (token.length > 4096) throw new Error('token is too large to be valid');
        await verifyToken(io, ep, token);
        log(io, 'INFO', 'Access Token Verified!');
        const d = await doc(io, sys);
        d.set(['Remotes', name, 'Token'], token);
        await d.save();
        log(io, 'INFO', `Token stored in ${d.file}`);
        return EXIT.OK;
      }
      case 'logout': {
        if (positionals.length > 1) throw new UsageError(`accepts at most 1 arg(s), received ${positionals.length}`);
        const { name, global: sys } = await endpointNamed(io, positionals[0]);
        const d = await doc(io, sys);
        d.delete(['Remotes', name, 'Token']);
        await d.save();
        log(io, 'INFO', 'Logout succeeded');
        return EXIT.OK;
      }
      case 'status': {
        if (positionals.length > 1) throw new UsageError(`accepts at most 1 arg(s), received ${positionals.length}`);
        const { ep } = await endpointNamed(io, positionals[0]);
        const fetch = nodeFetch({ insecure: ep.insecure, env: io.env });
        let t = 'SERVICE\tSTATUS\tVERSION\tURI\n';
        for (const svc of ['builder', 'consent', 'keyserver', 'library', 'token']) {
          const uri = await discoverService(ep, svc === 'keyserver' ? 'keystore' : svc, { fetch }).catch(() => undefined);
          if (!uri) continue;
          let version = '';
          try {
            const res = await httpRequest({ method: 'GET', url: new URL(`${uri.replace(/\/+$/, '')}/version`) }, { fetch, timeoutMs: 30_000, maxBytes: 1 << 20 });
            if (res.status === 200) version = String((JSON.parse(res.text) as { data?: { version?: unknown } }).data?.version ?? '');
          } catch {
            version = '';
          }
          t += `${svc[0]!.toUpperCase()}${svc.slice(1)}\t${version ? 'OK' : 'N/A'}\t${version}\t${uri}\n`;
        }
        let tokenLine = 'No authentication token set (logged out).';
        if (ep.token) {
          tokenLine = await verifyToken(io, ep, ep.token).then(
            () => 'Valid authentication token set (logged in).',
            () => 'Authentication token is invalid (please login again).',
          );
        }
        await writeAll(io.stdout, `${tabwrite(t, 2)}\n${tokenLine}\n`);
        return EXIT.OK;
      }
      default:
        throw new UsageError(`unknown command "${sub}" for "sifkit remote"`);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    log(io, 'FATAL', errorText(e));
    return EXIT.FATAL;
  }
}
