/**
 * Keyservers from singularity's remote.yaml: the active endpoint's listed keyservers (tried in order
 * by verify), stored logins sent to the matching server, the endpoint's token to its own keyserver,
 * service discovery when none is listed; the system file's exclusive endpoint wins.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointKeyservers, readRemoteConfig } from '../../src/clients/remote-config.js';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

const LISTING = 'info:1:1\npub:D64D8539875E71CCA922273B4F465383EE021A63:1:3072:1700000000::\nuid:sifkit sample (test key) <sample@sifkit.test>:1700000000::\n';
const sample = readFileSync(join(TESTDATA, 'keys/sample-public.asc'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'sifkit-remotecfg-'));
const servers: Server[] = [];
const seen: { server: string; path: string; auth: string | undefined }[] = [];

async function serve(name: string, handle: (req: IncomingMessage) => [number, string]): Promise<string> {
  const s = createServer((req, res) => {
    seen.push({ server: name, path: req.url!, auth: req.headers.authorization });
    const [code, body] = handle(req);
    res.writeHead(code).end(body);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}
afterAll(() => {
  for (const s of servers) s.close();
  rmSync(work, { recursive: true, force: true });
});

let good: string;
let broken: string;
let portal: string;
beforeAll(async () => {
  good = await serve('good', (req) => (req.url!.includes('op=get') ? [200, sample] : [200, LISTING]));
  broken = await serve('broken', () => [500, 'no']);
  portal = await serve('portal', (req) => (req.url === '/assets/config/config.prod.json' ? [200, JSON.stringify({ keystoreAPI: { uri: `http://${good}` }, libraryAPI: { uri: 'x' } })] : [404, '']));
});

function config(name: string, yaml: string): Record<string, string> {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'remote.yaml'), yaml);
  return { SINGULARITY_CONFIGDIR: dir, SINGULARITY_SYPGPDIR: join(work, `${name}-keys`), SIFKIT_GLOBAL_KEYRING: join(work, 'none'), TZ: 'UTC' };
}

describe('remote.yaml keyservers', () => {
  it('reads singularity’s file: listed keyservers, stored logins, the endpoint token', async () => {
    const env = config(
      'listed',
      `Active: Site
Remotes:
  Site:
    URI: ${portal}
    Token: endpoint-token
    System: false
    Exclusive: false
    Keyservers:
      - {URI: http://${broken}, Skip: false, External: false, Insecure: false}
      - {URI: http://${good}, Skip: false, External: true, Insecure: false}
      - {URI: http://127.0.0.1:1, Skip: true, External: true, Insecure: false}
Credentials:
  - {URI: http://${good}, Auth: "Basic dXNlcjpwYXNz", Insecure: false}
`,
    );
    const cfg = (await readRemoteConfig(env))!;
    const list = await endpointKeyservers(cfg);
    expect(list.map((k) => [k.url, k.authorization])).toEqual([
      [`http://${broken}`, 'Bearer endpoint-token'],
      [`http://${good}`, 'Basic dXNlcjpwYXNz'],
    ]);
    // key search uses the primary one only; verify tries them in order
    const s = await runCli(['key', 'search', 'sample'], { env });
    expect(s.code).toBe(2);
    expect(seen.at(-1)).toMatchObject({ server: 'broken', auth: 'Bearer endpoint-token' });
    const v = await runCli(['verify', join(TESTDATA, 'images/sample-signed.sif')], { env });
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain('[REMOTE]           Fingerprint: D64D8539875E71CCA922273B4F465383EE021A63');
    expect(seen.at(-1)).toMatchObject({ server: 'good', auth: 'Basic dXNlcjpwYXNz' });
  });

  it('discovers the keystore of an endpoint that lists none, and sends it the endpoint token', async () => {
    const env = config('discover', `Active: Portal\nRemotes:\n  Portal:\n    URI: ${portal}\n    Token: portal-token\n    System: false\n    Exclusive: false\n    Insecure: true\n`);
    const r = await runCli(['key', 'search', 'sample'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Showing 1 results/);
    const last = seen.slice(-2);
    expect(last[0]).toMatchObject({ server: 'portal', path: '/assets/config/config.prod.json' });
    expect(last[1]).toMatchObject({ server: 'good', auth: 'Bearer portal-token' });
  });

  it("the system file's exclusive endpoint is the active one; a bad file is a clear error", async () => {
    const sys = join(work, 'system.yaml');
    writeFileSync(sys, `Active: Corp\nRemotes:\n  Corp:\n    URI: corp.example\n    System: true\n    Exclusive: true\n    Keyservers:\n      - {URI: https://keys.corp.example, Skip: false, External: false, Insecure: false}\n`);
    const env = { ...config('user', 'Active: Mine\nRemotes:\n  Mine:\n    URI: mine.example\n    System: false\n    Exclusive: false\n'), SIFKIT_SYSTEM_REMOTE_CONFIG: sys };
    const cfg = (await readRemoteConfig(env))!;
    expect(cfg.active).toBe('Corp');
    expect(Object.keys(cfg.remotes).sort()).toEqual(['Corp', 'Mine']);
    expect((await endpointKeyservers(cfg)).map((k) => k.url)).toEqual(['https://keys.corp.example']);
    await expect(readRemoteConfig(config('bad', 'Remotes: [1, 2]\n'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: /Remotes is not a mapping/ });
  });

  it('with no remote.yaml and no --url, verify makes no request', async () => {
    const before = seen.length;
    const r = await runCli(['verify', join(TESTDATA, 'images/sample-signed.sif')], { env: { SINGULARITY_SYPGPDIR: join(work, 'nokeys'), SIFKIT_GLOBAL_KEYRING: join(work, 'none') } });
    expect(r.code).toBe(255);
    expect(seen.length).toBe(before);
  });
});
