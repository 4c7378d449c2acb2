/**
 * The HKP client and `key search | pull | push` against local HTTP servers on 127.0.0.1: one that
 * answers as Debian's SKS does (its captured machine-readable listing, armor with `options=mr`, HTML
 * without), and hostile ones (endless and lying bodies, silence, foreign redirects, wrong keys,
 * broken listings). Expected tables are singularity's own output for the captured listing
 * (shared/specs/keystore-hkp.md §5, produced by running its formatMROutput with TZ=UTC).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchKeys, keyserverUrl, parseIndex, searchKeys, submitKey } from '../../src/clients/hkp.js';
import { readKeyring } from '../../src/keys/keyring.js';
import { runCli } from '../helpers/cli.js';

const LISTING = `info:1:2
pub:1A4AFD94B82809938D88DBD9CCA81685A8ACEC0C:1:2048:1796072059::
uid:Second Key <second@example.org>:1796072059::
pub:8F12501136E673208AC7937EE2476A7577443B5A:22:256:1796072059::
uid:Test Signer (sifkit test) <test@example.org>:1796072059::
`;
const SHORT = `Showing 2 results

KEY ID    BITS  NAME/EMAIL
A8ACEC0C  2048  Second Key <second@example.org>

77443B5A  256  Test Signer (sifkit test) <test@example.org>
`;
const LONG = `Showing 2 results

FINGERPRINT                               ALGORITHM  BITS  CREATION DATE                  EXPIRATION DATE  STATUS     NAME/EMAIL
1A4AFD94B82809938D88DBD9CCA81685A8ACEC0C  RSA        2048  2026-11-30 20:54:19 +0000 UTC  [ultimate]       [enabled]  Second Key <second@example.org>

8F12501136E673208AC7937EE2476A7577443B5A  unknown  256  2026-11-30 20:54:19 +0000 UTC  [ultimate]  [enabled]  Test Signer (sifkit test) <test@example.org>
`;

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
const servers: Server[] = [];
async function serve(handler: Handler): Promise<string> {
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, res, body));
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}
afterAll(() => {
  for (const s of servers) s.closeAllConnections(), s.close();
});

const work = mkdtempSync(join(tmpdir(), 'sifkit-hkp-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let key: { armored: string; fingerprint: string };
let other: { armored: string; fingerprint: string };
const received: { path: string; auth: string | undefined; body: string }[] = [];
let sks: string;

beforeAll(async () => {
  const make = async (name: string) => {
    const k = await openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name, email: `${name}@sifkit.test` }], format: 'object' });
    return { armored: k.publicKey.armor(), fingerprint: k.publicKey.getFingerprint().toUpperCase() };
  };
  key = await make('pulled');
  other = await make('intruder');
  sks = await serve((req, res, body) => {
    const u = new URL(req.url!, 'http://x');
    received.push({ path: u.pathname + u.search, auth: req.headers.authorization, body });
    if (u.pathname === '/pks/add' && req.method === 'POST') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Key block added to key server database.</body></html>');
      return;
    }
    if (u.pathname !== '/pks/lookup') return void res.writeHead(404).end();
    const search = u.searchParams.get('search') ?? '';
    if (u.searchParams.get('op') === 'index') {
      if (search === 'nothing') return void res.writeHead(404, { 'content-type': 'text/html' }).end('No results found');
      if (search === 'secret') return void res.writeHead(401).end();
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(LISTING);
    }
    if (u.searchParams.get('op') === 'get') {
      if (search === `0x${key.fingerprint.toLowerCase()}` || search === `0x${key.fingerprint.slice(-8).toLowerCase()}`) {
        // armor inside an HTML page, as SKS sends it without options=mr
        return void res.writeHead(200, { 'content-type': 'text/html' }).end(`<html><pre>\n${key.armored}</pre></html>`);
      }
      if (search === `0x${'ab'.repeat(20)}`) return void res.writeHead(200).end(other.armored); // not the key asked for
      return void res.writeHead(404).end();
    }
    res.writeHead(500).end();
  });
});

describe('HKP client', () => {
  it('normalises keyserver URLs as singularity does', () => {
    expect(keyserverUrl('hkp://keys.example.org').href).toBe('http://keys.example.org:11371/');
    expect(keyserverUrl('hkp://keys.example.org:80').href).toBe('http://keys.example.org/');
    expect(keyserverUrl('hkps://keys.example.org').href).toBe('https://keys.example.org/');
    expect(keyserverUrl('https://keys.example.org/base').href).toBe('https://keys.example.org/base');
    expect(() => keyserverUrl('ftp://keys.example.org')).toThrow(/unsupported protocol scheme "ftp"/);
  });

  it('searches with the reference client query (sorted keys, mr, fingerprints)', async () => {
    const idx = await searchKeys('0x8F12501136E673208AC7937EE2476A7577443B5A', { url: sks });
    expect(idx.count).toBe(2);
    expect(idx.keys.map((k) => k.keyId)).toEqual(['1A4AFD94B82809938D88DBD9CCA81685A8ACEC0C', '8F12501136E673208AC7937EE2476A7577443B5A']);
    expect(received.at(-1)!.path).toBe('/pks/lookup?fingerprint=on&op=index&options=mr&search=0x8F12501136E673208AC7937EE2476A7577443B5A&x-pagesize=256');
  });

  it('sends a token only where it may: https or localhost, and never to another origin', async () => {
    await expect(searchKeys('x', { url: 'http://keys.example.org', token: 't' })).rejects.toMatchObject({ code: 'TLS_REQUIRED' });
    const elsewhere = await serve((req, res) => {
      received.push({ path: 'elsewhere', auth: req.headers.authorization, body: '' });
      res.writeHead(200).end(LISTING);
    });
    const redirector = await serve((req, res) => {
      received.push({ path: 'redirector', auth: req.headers.authorization, body: '' });
      res.writeHead(302, { location: `${elsewhere.replace('127.0.0.1', 'localhost')}/pks/lookup?op=index` }).end();
    });
    const local = redirector.replace('127.0.0.1', 'localhost');
    const idx = await searchKeys('x', { url: local, token: 'sekrit' });
    expect(idx.keys).toHaveLength(2);
    expect(received.find((r) => r.path === 'redirector')!.auth).toBe('BEARER sekrit');
    expect(received.find((r) => r.path === 'elsewhere')!.auth).toBeUndefined();
  });

  it('fetches armor wrapped in HTML, submits keytext', async () => {
    expect(await fetchKeys(key.fingerprint, { url: sks })).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
    await submitKey(key.armored, { url: sks });
    const add = received.at(-1)!;
    expect(add.path).toBe('/pks/add');
    expect(new URLSearchParams(add.body).get('keytext')).toBe(key.armored);
  });

  it('hostile servers: endless, lying, silent, broken', async () => {
    const endless = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(1 << 16, 97);
      const pump = (): void => {
        while (res.write(chunk));
        res.once('drain', pump);
      };
      pump();
    });
    const t = Date.now();
    await expect(searchKeys('x', { url: endless, maxBytes: 1 << 20 })).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    const liar = await serve((_req, res) => res.writeHead(200, { 'content-length': String(5 * 2 ** 30) }).end('short'));
    await expect(searchKeys('x', { url: liar })).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    const silent = await serve(() => undefined);
    await expect(searchKeys('x', { url: silent, timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    const slow = await serve((_req, res) => {
      res.writeHead(200);
      res.write('info:1:1\n'); // and then nothing
    });
    await expect(searchKeys('x', { url: slow, timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(Date.now() - t).toBeLessThan(5000);
    await expect(searchKeys('x', { url: 'http://127.0.0.1:1' })).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect(() => parseIndex('pub:not-hex:1:2048:0::\n')).toThrow(/key ID "not-hex" is not hex/);
    expect(() => parseIndex('info:1:many\n')).toThrow(/info count/);
    expect(() => parseIndex('pub:AAAAAAAA:1:2048:0::\n'.repeat(10_001))).toThrow(/more than 10000 keys/);
    expect(parseIndex('uid:orphan:::\nuat::::\n').keys).toEqual([]);
  });
});

describe('key search | pull | push', () => {
  const env = (dir: string) => ({ TZ: 'UTC', SINGULARITY_SYPGPDIR: join(work, dir) });

  it("search prints singularity's tables", async () => {
    const s = await runCli(['key', 'search', '--url', sks, 'test'], { env: env('s') });
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toBe(SHORT);
    const l = await runCli(['key', 'search', '-l', '--url', sks, 'test'], { env: env('s') });
    expect(l.stdout).toBe(LONG);
    const none = await runCli(['key', 'search', '--url', sks, 'nothing'], { env: env('s') });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^ERROR: +search failed: no matching keys found for fingerprint$/m);
    const auth = await runCli(['key', 'search', '--url', sks, 'secret'], { env: env('s') });
    expect(auth.stderr).toMatch(/Access token is expired or missing/);
    expect(auth.stderr).toMatch(/search failed: unauthorized or missing token/);
  });

  it('pull adds exactly the key asked for; another key is refused', async () => {
    const r = await runCli(['key', 'pull', '--url', sks, key.fingerprint], { env: env('p') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`1 key(s) added to keyring of trust ${join(work, 'p', 'pgp-public')}\n`);
    expect((await readKeyring(join(work, 'p', 'pgp-public'))).map((k) => k.getFingerprint().toUpperCase())).toEqual([key.fingerprint]);
    const again = await runCli(['key', 'pull', '--url', sks, key.fingerprint], { env: env('p') });
    expect(again.stdout).toMatch(/^0 key\(s\) added/);
    const wrong = await runCli(['key', 'pull', '--url', sks, 'AB'.repeat(20)], { env: env('p') });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(new RegExp(`pull failed: the key server sent key ${other.fingerprint}, not ${'AB'.repeat(20)}`));
    expect(await readKeyring(join(work, 'p', 'pgp-public'))).toHaveLength(1);
    expect((await runCli(['key', 'pull', '--url', sks, 'ABC'], { env: env('p') })).stderr).toMatch(/not a valid key length: only accepts 8, or 40 chars/);
  });

  it('push sends the public key from the local keyring', async () => {
    writeFileSync(join(work, 'k.asc'), key.armored);
    const imp = await runCli(['key', 'import', join(work, 'k.asc')], { env: env('q') });
    expect(imp.code, imp.stderr).toBe(0);
    const r = await runCli(['key', 'push', '--url', sks, key.fingerprint], { env: env('q') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`public key \`${key.fingerprint}' pushed to server successfully\n`);
    const sent = new URLSearchParams(received.at(-1)!.body).get('keytext')!;
    const back = await openpgp.readKey({ armoredKey: sent });
    expect(back.getFingerprint().toUpperCase()).toBe(key.fingerprint);
    expect(back.isPrivate()).toBe(false);
    expect((await runCli(['key', 'push', '--url', sks, 'ABCD'], { env: env('q') })).stderr).toMatch(/please provide a keyid\(16 chars\) or a full fingerprint\(40 chars\)/);
  });
});
