// Security claims of the library client (test/library-server as the other side):
// - the access token never goes to another host a library redirects to;
// - a pull writes only through a file it created itself (0600, never through a planted symlink),
//   and the target name appears only for bytes whose SHA-256 is the library's record;
// - a planted or stale resume record cannot smuggle bytes in (the whole-file hash decides);
// - a library that records no SHA-256 gets no download at all;
// - remote.yaml, which holds tokens, is written 0600.
import { createServer, request } from 'node:http';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LibraryClient } from '../../src/clients/library.js';
import { pullToFile, pushFile } from '../../src/clients/library-node.js';
import { startLibraryServer, type TestLibrary } from '../library-server/server.mjs';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

const work = mkdtempSync(join(tmpdir(), 'sifkit-libsec-'));
const sample = join(TESTDATA, 'images/sample-signed.sif');
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
  rmSync(work, { recursive: true, force: true });
});
async function pushed(opts: Parameters<typeof startLibraryServer>[0] = {}): Promise<{ s: TestLibrary; c: LibraryClient }> {
  const s = await startLibraryServer(opts);
  closers.push(() => s.close());
  const c = new LibraryClient({ baseUrl: s.url, token: s.token });
  await pushFile(c, sample, 'alice/col/sample', 'amd64', ['latest'], '');
  return { s, c };
}

describe('library client security', () => {
  it('token-not-forwarded: a redirect to another host carries no Authorization', async () => {
    const seen: string[] = [];
    let target = '';
    const other = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      request(`${target}${req.url}`, { headers: { range: req.headers.range ?? '' } }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      }).end();
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => other.close(() => r())));
    const { s, c } = await pushed({ blobOrigin: `http://127.0.0.1:${(other.address() as AddressInfo).port}` });
    target = s.url;
    await pullToFile(c, 'alice/col/sample:latest', 'amd64', join(work, 'a.sif'));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual(seen.map(() => ''));
  });

  it('partial-file-private: written 0600, and a symlink planted at its name is replaced, not followed', async () => {
    const { c } = await pushed();
    const out = join(work, 'b.sif');
    const victim = join(work, 'victim.txt');
    writeFileSync(victim, 'do not touch');
    symlinkSync(victim, `${out}.sifkit-download`);
    let mode = -1;
    await pullToFile(c, 'alice/col/sample:latest', 'amd64', out, {
      partSize: 4096,
      concurrency: 1,
      onProgress: () => {
        if (mode < 0 && existsSync(`${out}.sifkit-download`)) mode = lstatSync(`${out}.sifkit-download`).mode;
      },
    });
    expect(readFileSync(victim, 'utf8')).toBe('do not touch');
    expect(mode & 0o777).toBe(0o600);
    expect(lstatSync(out).isFile()).toBe(true);
    expect(Buffer.compare(readFileSync(out), readFileSync(sample))).toBe(0);
  });

  it('resume-record-untrusted: a record claiming every part done cannot make garbage pass', async () => {
    const { c } = await pushed();
    const out = join(work, 'c.sif');
    const img = await c.getImage('alice/col/sample:latest', 'amd64');
    writeFileSync(`${out}.sifkit-download`, Buffer.alloc(img.size, 0x41), { mode: 0o600 });
    writeFileSync(`${out}.sifkit-download.json`, JSON.stringify({ hash: img.hash, size: img.size, partSize: 4096, done: Array.from({ length: 20 }, (_, i) => i) }), { mode: 0o600 });
    await expect(pullToFile(c, 'alice/col/sample:latest', 'amd64', out, { partSize: 4096 })).rejects.toMatchObject({ code: 'DOWNLOAD_HASH_MISMATCH' });
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.sifkit-download`)).toBe(false);
    await pullToFile(c, 'alice/col/sample:latest', 'amd64', out, { partSize: 4096 });
    expect(Buffer.compare(readFileSync(out), readFileSync(sample))).toBe(0);
  });

  it('no-sha256-no-download: a record without a SHA-256 is refused before any request for the file', async () => {
    const fake = createServer((req, res) => {
      if (req.url?.startsWith('/v1/images/')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { id: 'x', hash: 'sif.01234567-89ab-cdef-0123-456789abcdef', size: 10, uploaded: true, description: '' } }));
        return;
      }
      res.writeHead(500);
      res.end();
      throw new Error(`unexpected request ${req.url}`);
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => fake.close(() => r())));
    const c = new LibraryClient({ baseUrl: `http://127.0.0.1:${(fake.address() as AddressInfo).port}` });
    await expect(pullToFile(c, 'a/b/c:latest', 'amd64', join(work, 'd.sif'))).rejects.toMatchObject({ code: 'RESPONSE_INVALID' });
    expect(existsSync(join(work, 'd.sif.sifkit-download'))).toBe(false);
  });

  it('remote-yaml-private: the file holding tokens is 0600 even under a permissive umask', async () => {
    const dir = join(work, 'cfg');
    const old = process.umask(0o022);
    try {
      const r = await runCli(['remote', 'add', 'x', 'example.org'], { env: { SINGULARITY_CONFIGDIR: dir } });
      expect(r.code, r.stderr).toBe(0);
    } finally {
      process.umask(old);
    }
    expect(statSync(join(dir, 'remote.yaml')).mode & 0o777).toBe(0o600);
  });
});
