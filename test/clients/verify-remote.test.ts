/**
 * `verify` with a key server: a signer in neither keyring is fetched from --url / $SIFKIT_KEYSERVER
 * and shown as [REMOTE]; only a key with the fingerprint the signature names is used; --local and an
 * unconfigured key server make no request at all (the server counts them).
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

const sample = readFileSync(join(TESTDATA, 'keys/sample-public.asc'), 'utf8');
const other = readFileSync(join(TESTDATA, 'keys/other-public.asc'), 'utf8');
const image = join(TESTDATA, 'images/sample-signed.sif');
const FPR = 'D64D8539875E71CCA922273B4F465383EE021A63';
const work = mkdtempSync(join(tmpdir(), 'sifkit-vremote-'));
let requests: string[] = [];
let serveOther = false;
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url!);
    const search = new URL(req.url!, 'http://x').searchParams.get('search');
    if (search === `0x${FPR.toLowerCase()}`) res.writeHead(200).end(serveOther ? other : sample);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(work, { recursive: true, force: true });
});

const env = { SINGULARITY_SYPGPDIR: join(work, 'empty'), SIFKIT_GLOBAL_KEYRING: join(work, 'no-global') };

describe('verify with a key server', () => {
  it('fetches an unknown signer and prints [REMOTE]', async () => {
    requests = [];
    const r = await runCli(['verify', '--url', url, image], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`[REMOTE]           Signing entity: sifkit sample (test key) <sample@sifkit.test>\n[REMOTE]           Fingerprint: ${FPR}\n`);
    expect(r.stdout).toMatch(/Container verified: /);
    expect(requests).toEqual([`/pks/lookup?exact=on&op=get&options=mr&search=0x${FPR.toLowerCase()}`]);
    const e = await runCli(['verify', image], { env: { ...env, SIFKIT_KEYSERVER: url } });
    expect(e.code, e.stderr).toBe(0);
  });

  it('uses no key the signature did not name', async () => {
    serveOther = true;
    try {
      const r = await runCli(['verify', '--url', url, image], { env });
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/FATAL: +Failed to verify container: integrity: signature object 4 not valid: openpgp: signature made by unknown entity/);
      expect(r.stdout).not.toContain('[REMOTE]');
    } finally {
      serveOther = false;
    }
  });

  it('--local, or no key server configured: no request at all', async () => {
    requests = [];
    const local = await runCli(['verify', '--local', '--url', url, image], { env });
    expect(local.code).toBe(255);
    const none = await runCli(['verify', image], { env });
    expect(none.code).toBe(255);
    expect(requests).toEqual([]);
  });

  it('a server that fails is a warning, then the usual failure', async () => {
    const r = await runCli(['verify', '--url', 'http://127.0.0.1:1', image], { env });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/WARNING: +failed to get key material: /);
  });
});
