// sifkit's library client against the test library (test/library-server, strict validation): push
// (v2 single, v2 multipart, v1), pull (303 + ranged parts, 200), search, delete; and the faults —
// 5xx and resets mid-download, a corrupt blob, a redirect to another host, a silent server, a
// Content-Length lie, a trickling server, an interrupted pull resumed.
import { createServer, request, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LibraryClient } from '../../src/clients/library.js';
import { semverAtLeast } from '../../src/clients/library-http.js';
import { pullToFile, pushFile } from '../../src/clients/library-node.js';
import { startLibraryServer, type TestLibrary } from '../library-server/server.mjs';
import { TESTDATA } from '../helpers/paths.js';

const work = mkdtempSync(join(tmpdir(), 'sifkit-lib-'));
const sample = join(TESTDATA, 'images/sample-signed.sif');
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function library(opts: Parameters<typeof startLibraryServer>[0] = {}): Promise<TestLibrary> {
  const s = await startLibraryServer(opts);
  servers.push(s);
  return s;
}
const client = (s: TestLibrary, extra: Partial<ConstructorParameters<typeof LibraryClient>[0]> = {}) => new LibraryClient({ baseUrl: s.url, token: s.token, ...extra });
let n = 0;
const out = (): string => join(work, `pulled-${n++}.sif`);
/** A file of `size` bytes that is a copy of the sample image followed by filler (any bytes will do for the library). */
function bigFile(size: number): string {
  const b = Buffer.alloc(size);
  readFileSync(sample).copy(b);
  for (let i = 40_000; i < size; i += 4096) b.writeUInt32LE(i, i);
  const p = join(work, `big-${size}.sif`);
  writeFileSync(p, b);
  return p;
}
const same = (a: string, b: string): boolean => Buffer.compare(readFileSync(a), readFileSync(b)) === 0;
const leftovers = (target: string): string[] => readdirSync(work).filter((f) => f.startsWith(`${target.split('/').pop()}.sifkit-download`));

describe('library client against the test library', () => {
  it.each(['redirect', 'direct'] as const)('push (v2 single) then pull (%s): the same bytes, tags, no violation', async (download) => {
    const s = await library({ download });
    const c = client(s);
    const res = await pushFile(c, sample, 'alice/col/sample', 'amd64', ['latest', '1.0'], 'the sample');
    expect(res?.containerUrl).toBe('/library/alice/col/sample');
    for (const tag of ['latest', '1.0']) {
      const target = out();
      const img = await pullToFile(c, `alice/col/sample:${tag}`, 'amd64', target, { partSize: 10_000 });
      expect(same(target, sample)).toBe(true);
      expect(img.arch).toBe('amd64');
    }
    expect(s.state.violations).toEqual([]);
    const parts = s.state.requests.filter((r) => r.path.startsWith('/s3/blob/'));
    expect(parts.length).toBe(download === 'redirect' ? 8 : 0); // 2 pulls × 4 parts of 10,000 bytes
    // same host as the library: the token goes along, as SingularityCE sends it
    expect(parts.every((r) => r.auth === `Bearer ${s.token}`)).toBe(true);
  });

  it('multipart upload in order, parts hashed; pulled back whole', async () => {
    const s = await library({ partSize: 64 << 10 });
    const file = bigFile(300_000);
    await pushFile(client(s), file, 'alice/col/big', 'amd64', ['latest'], 'big', { multipartAbove: 100_000 });
    expect(s.state.requests.filter((r) => r.path.includes('/s3/part/')).length).toBe(5);
    const target = out();
    await pullToFile(client(s), 'alice/col/big:latest', 'amd64', target);
    expect(same(target, file)).toBe(true);
    expect(s.state.violations).toEqual([]);
  });

  it('a library without multipart gets one upload; an old library (API 1.0) the v1 upload and tags', async () => {
    const s = await library({ multipart: false });
    const file = bigFile(200_000);
    await pushFile(client(s), file, 'a/b/c', 'amd64', ['latest'], 'x', { multipartAbove: 100_000 });
    expect(s.state.requests.some((r) => r.path.endsWith('/_complete'))).toBe(true);
    const old = await library({ apiVersion: '1.0.0' });
    await pushFile(client(old), sample, 'a/b/c', 'amd64', ['v1'], 'x');
    expect(old.state.requests.some((r) => r.method === 'POST' && /^\/v1\/imagefile\//.test(r.path))).toBe(true);
    expect(old.state.requests.some((r) => r.method === 'POST' && /^\/v1\/tags\//.test(r.path))).toBe(true);
    const target = out();
    await pullToFile(client(old), 'a/b/c:v1', 'amd64', target);
    expect(same(target, sample)).toBe(true);
    expect([...s.state.violations, ...old.state.violations]).toEqual([]);
  });

  it('search and delete', async () => {
    const s = await library();
    const c = client(s);
    await pushFile(c, sample, 'alice/col/sample', 'amd64', ['latest'], 'the sample');
    const found = await c.search('sample', { arch: 'amd64', signed: true });
    expect(found.images.map((i) => [i.entityName, i.collectionName, i.containerName, i.tags, i.signed])).toEqual([['alice', 'col', 'sample', ['latest'], true]]);
    expect((await c.search('sample', { arch: 'arm64' })).images).toEqual([]);
    expect(found).toMatchObject({ entities: [], collections: [], containers: [] });
    await expect(c.search('sa')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await c.deleteImage('alice/col/sample:latest', 'amd64');
    await expect(c.getImage('alice/col/sample:latest', 'amd64')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(s.state.violations).toEqual([]);
  });

  it('writes need the token: 401 is AUTH_REQUIRED', async () => {
    const s = await library();
    await expect(pushFile(new LibraryClient({ baseUrl: s.url, token: 'wrong' }), sample, 'a/b/c', 'amd64', ['latest'], '')).rejects.toMatchObject({ code: 'AUTH_REQUIRED' });
  });
});

describe('library client faults', () => {
  async function pushed(opts: Parameters<typeof startLibraryServer>[0] = {}): Promise<TestLibrary> {
    const s = await library(opts);
    await pushFile(client(s), sample, 'alice/col/sample', 'amd64', ['latest'], '');
    s.state.requests.length = 0;
    return s;
  }

  it('5xx on parts and a connection reset mid-part are retried (bounded)', async () => {
    const s = await pushed();
    s.faults.failStatus.push({ path: /^\/s3\/blob\//, status: 503, times: 2 });
    s.faults.resetAfter = { bytes: 100, times: 1 };
    const target = out();
    await pullToFile(client(s), 'alice/col/sample:latest', 'amd64', target, { partSize: 10_000 });
    expect(same(target, sample)).toBe(true);
    s.faults.failStatus.push({ path: /^\/s3\/blob\//, status: 503, times: 100 });
    await expect(pullToFile(client(s), 'alice/col/sample:latest', 'amd64', out(), { partSize: 10_000, retries: 2 })).rejects.toMatchObject({ code: 'HTTP_ERROR' });
    expect(s.faults.failStatus.at(-1)!.times).toBeGreaterThan(90); // a few attempts, not a hundred
  });

  it('a file whose hash differs from the image record: DOWNLOAD_HASH_MISMATCH, nothing left behind', async () => {
    const s = await pushed();
    s.faults.corruptBlob = true;
    const target = out();
    await expect(pullToFile(client(s), 'alice/col/sample:latest', 'amd64', target)).rejects.toMatchObject({ code: 'DOWNLOAD_HASH_MISMATCH' });
    expect(existsSync(target)).toBe(false);
    expect(leftovers(target)).toEqual([]);
  });

  it('a redirect to another host gets no token', async () => {
    const s = await pushed();
    const seen: string[] = [];
    // another origin that forwards blob requests to the library's object store
    const proxy: Server = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      const fwd = request(`${s.url}${req.url}`, { headers: { range: req.headers.range ?? '' } }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      fwd.end();
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    servers.push({ close: () => new Promise<void>((r) => proxy.close(() => r())) });
    const other = await library({ blobOrigin: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    await pushFile(client(other), sample, 'alice/col/sample', 'amd64', ['latest'], '');
    // the library's own blob route needs the image; point the proxy at `other`
    proxy.removeAllListeners('request');
    proxy.on('request', (req, res) => {
      seen.push(req.headers.authorization ?? '');
      request(`${other.url}${req.url}`, { headers: { range: req.headers.range ?? '' } }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      }).end();
    });
    const target = out();
    await pullToFile(client(other), 'alice/col/sample:latest', 'amd64', target);
    expect(same(target, sample)).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((a) => a === '')).toBe(true);
    expect(other.state.requests.filter((r) => r.path.startsWith('/v1/')).every((r) => r.auth === `Bearer ${other.token}`)).toBe(true);
  });

  it('a server that never answers: TIMEOUT', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    servers.push({ close: () => new Promise<void>((r) => { silent.closeAllConnections(); silent.close(() => r()); }) });
    const c = new LibraryClient({ baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeoutMs: 300 });
    await expect(c.getImage('a/b/c:latest', 'amd64')).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('a body that stops, and one that trickles: TIMEOUT between bytes; the partial file stays for a resume', async () => {
    const s = await pushed();
    s.faults.hang = /^\/s3\/blob\//;
    const target = out();
    await expect(pullToFile(client(s, { idleTimeoutMs: 300 }), 'alice/col/sample:latest', 'amd64', target, { retries: 1 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    s.faults.hang = undefined;
    s.faults.slowLoris = /^\/s3\/blob\//;
    await expect(pullToFile(client(s, { idleTimeoutMs: 500 }), 'alice/col/sample:latest', 'amd64', target, { retries: 1 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(existsSync(target)).toBe(false);
    s.faults.slowLoris = undefined;
    await pullToFile(client(s), 'alice/col/sample:latest', 'amd64', target);
    expect(same(target, sample)).toBe(true);
    expect(leftovers(target)).toEqual([]);
  });

  it('a 10 GB Content-Length lie is refused before any byte is stored', async () => {
    const s = await pushed();
    s.faults.lieLength = true;
    await expect(pullToFile(client(s), 'alice/col/sample:latest', 'amd64', out(), { retries: 1 })).rejects.toMatchObject({ code: 'RESPONSE_INVALID' });
    const direct = await pushed({ download: 'direct' });
    direct.faults.lieLength = true;
    await expect(pullToFile(client(direct), 'alice/col/sample:latest', 'amd64', out())).rejects.toMatchObject({ code: 'RESPONSE_INVALID' });
  });

  it('an interrupted pull resumes: finished parts are not fetched again', async () => {
    const s = await pushed();
    const target = out();
    const ctl = new AbortController();
    await expect(
      pullToFile(client(s), 'alice/col/sample:latest', 'amd64', target, { partSize: 4096, concurrency: 1, onProgress: (b) => b >= 20_000 && ctl.abort(), signal: ctl.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(existsSync(target)).toBe(false);
    const first = s.state.requests.filter((r) => r.path.startsWith('/s3/blob/')).length;
    s.state.requests.length = 0;
    await pullToFile(client(s), 'alice/col/sample:latest', 'amd64', target, { partSize: 4096 });
    expect(same(target, sample)).toBe(true);
    const second = s.state.requests.filter((r) => r.path.startsWith('/s3/blob/')).length;
    const total = Math.ceil(readFileSync(sample).length / 4096);
    expect(first).toBeGreaterThanOrEqual(4);
    // every part fetched once, but for the one cut off (if the stop fell inside a part)
    expect(first + second).toBeGreaterThanOrEqual(total);
    expect(first + second).toBeLessThanOrEqual(total + 1);
    expect(second).toBeLessThan(total);
    expect(leftovers(target)).toEqual([]);
  });

  it('a part the object store refuses (checksum) is sent again; a part that keeps failing aborts the upload', async () => {
    const s = await library({ partSize: 64 << 10 });
    const file = bigFile(300_000);
    s.faults.failStatus.push({ path: /^\/s3\/part\/[a-f0-9]+\/[a-f0-9]+\/2$/, status: 400, times: 1, method: 'PUT' });
    await pushFile(client(s), file, 'alice/col/big', 'amd64', ['latest'], '', { multipartAbove: 100_000 });
    expect(s.state.requests.filter((r) => /\/s3\/part\/.+\/2$/.test(r.path)).length).toBe(2);
    const target = out();
    await pullToFile(client(s), 'alice/col/big:latest', 'amd64', target);
    expect(same(target, file)).toBe(true);
    const s2 = await library({ partSize: 64 << 10 });
    s2.faults.failStatus.push({ path: /^\/s3\/part\//, status: 500, times: 100, method: 'PUT' });
    await expect(pushFile(client(s2), file, 'alice/col/big', 'amd64', ['latest'], '', { multipartAbove: 100_000, retries: 2 })).rejects.toMatchObject({ code: 'HTTP_ERROR' });
    expect(s2.state.aborted).toBe(1);
    expect([...s2.state.images.values()].every((i) => !i.uploaded)).toBe(true);
    expect([...s.state.violations, ...s2.state.violations]).toEqual([]);
  });

  it('an existing target is not overwritten without force', async () => {
    const s = await pushed();
    const target = out();
    writeFileSync(target, 'mine');
    await expect(pullToFile(client(s), 'alice/col/sample:latest', 'amd64', target)).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect(readFileSync(target, 'utf8')).toBe('mine');
    await pullToFile(client(s), 'alice/col/sample:latest', 'amd64', target, { force: true });
    expect(same(target, sample)).toBe(true);
  });
});

describe('feature gates', () => {
  it.each([
    ['2.0.0-alpha.2', '2.0.0-alpha.1', true],
    ['2.0.0-alpha.1', '2.0.0-alpha.2', false],
    ['2.0.0', '2.0.0-alpha.2', true],
    ['v1.2.0', '2.0.0-alpha.1', false],
    ['2.1.0-rc.1', '2.0.0-alpha.2', true],
    [undefined, '2.0.0-alpha.1', false],
    ['garbage', '2.0.0-alpha.1', false],
  ])('%s ≥ %s: %s', (have, want, ok) => {
    expect(semverAtLeast(have, want)).toBe(ok);
  });
});
