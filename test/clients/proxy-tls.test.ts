/**
 * Network set-ups of HPC sites: an HTTP proxy from the environment (CONNECT, as curl and singularity
 * use it), a keyserver behind a site CA ($SIFKIT_CA_FILE), and a keyserver remote.yaml marks
 * Insecure. Certificates: testdata/tls (made by its make.sh with openssl).
 */
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

const LISTING = 'info:1:1\npub:D64D8539875E71CCA922273B4F465383EE021A63:1:3072:1700000000::\nuid:sifkit sample (test key) <sample@sifkit.test>:1700000000::\n';
const work = mkdtempSync(join(tmpdir(), 'sifkit-proxytls-'));
const closers: (() => void)[] = [];
afterAll(() => {
  for (const c of closers) c();
  rmSync(work, { recursive: true, force: true });
});
const port = (s: Server): number => (s.address() as AddressInfo).port;

let plain: string;
let tls: string;
let proxy: string;
const tunnels: string[] = [];

beforeAll(async () => {
  const ks = createHttp((_req, res) => res.writeHead(200).end(LISTING));
  await new Promise<void>((r) => ks.listen(0, '127.0.0.1', r));
  closers.push(() => ks.close());
  plain = `http://127.0.0.1:${port(ks)}`;
  const tk = createHttps({ cert: readFileSync(join(TESTDATA, 'tls/server.pem')), key: readFileSync(join(TESTDATA, 'tls/server-key.pem')) }, (_req, res) => res.writeHead(200).end(LISTING));
  await new Promise<void>((r) => tk.listen(0, '127.0.0.1', r));
  closers.push(() => tk.close());
  tls = `https://127.0.0.1:${port(tk)}`;
  // a CONNECT proxy that records where it tunnels to
  const px = createHttp();
  px.on('connect', (req, client, head) => {
    tunnels.push(req.url!);
    const [host, p] = req.url!.split(':');
    const up = connect(Number(p), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => px.listen(0, '127.0.0.1', r));
  closers.push(() => {
    px.closeAllConnections();
    px.close();
  });
  proxy = `http://127.0.0.1:${port(px)}`;
});

const env = (extra: Record<string, string> = {}): Record<string, string> => ({ SINGULARITY_SYPGPDIR: join(work, 'keys'), ...extra });

describe('proxies and certificates', () => {
  it('goes through the proxy the environment names', async () => {
    const r = await runCli(['key', 'search', '--url', plain, 'sample'], { env: env({ HTTP_PROXY: proxy }) });
    expect(r.code, r.stderr).toBe(0);
    expect(tunnels).toContain(plain.replace('http://', ''));
    const before = tunnels.length;
    const direct = await runCli(['key', 'search', '--url', plain, 'sample'], { env: env({ HTTP_PROXY: proxy, NO_PROXY: '127.0.0.1' }) });
    expect(direct.code, direct.stderr).toBe(0);
    expect(tunnels.length).toBe(before);
  });

  it('trusts a site CA only when told to; an Insecure keyserver in remote.yaml skips the check', async () => {
    const untrusted = await runCli(['key', 'search', '--url', tls, 'sample'], { env: env() });
    expect(untrusted.code).toBe(2);
    expect(untrusted.stderr).toMatch(/search failed: failed to get key: https:\/\/127\.0\.0\.1:\d+: .*(certificate|self[- ]signed|issuer)/i);
    const trusted = await runCli(['key', 'search', '--url', tls, 'sample'], { env: env({ SIFKIT_CA_FILE: join(TESTDATA, 'tls/ca.pem') }) });
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(trusted.stdout).toMatch(/^Showing 1 results/);
    const dir = join(work, 'cfg');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'remote.yaml'), `Active: Site\nRemotes:\n  Site:\n    URI: site.example\n    System: false\n    Exclusive: false\n    Keyservers:\n      - {URI: ${tls}, Skip: false, External: true, Insecure: true}\n`);
    const insecure = await runCli(['key', 'search', 'sample'], { env: env({ SINGULARITY_CONFIGDIR: dir }) });
    expect(insecure.code, insecure.stderr).toBe(0);
  });
});
