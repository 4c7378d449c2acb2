/**
 * The test library and sifkit's client checked against the reference Go library client (Debian's
 * golang-github-apptainer-container-library-client-dev 1.2.2, test/libclient): the Go client pushes
 * (single and multipart), pulls (303 + ranged parts, and 200), searches and deletes against the test
 * server without error or violation; images pushed by either client are pulled by the other byte for
 * byte; and the Go client's reference parser agrees with sifkit's on every row of its own table.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { LibraryClient } from '../../src/clients/library.js';
import { pullToFile, pushFile } from '../../src/clients/library-node.js';
import { parseLibraryRef } from '../../src/clients/library-ref.js';
import { startLibraryServer, type TestLibrary } from '../library-server/server.mjs';
import { PARSE_TABLE } from '../helpers/library-ref-table.js';
import { TESTDATA } from '../helpers/paths.js';
import { goTool } from '../helpers/go-tools.js';

const run = promisify(execFile);
const libclient = (): string => goTool('libclient');
const go = async (...args: string[]): Promise<string> => (await run(libclient(), args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 })).stdout;

const work = mkdtempSync(join(tmpdir(), 'sifkit-libref-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sample = join(TESTDATA, 'images/sample-signed.sif');
const same = (a: string, b: string): boolean => Buffer.compare(readFileSync(a), readFileSync(b)) === 0;
let k = 0;
const file = (): string => join(work, `f${k++}.sif`);

/** A 70 MiB file starting with the sample image (over the 64 MiB multipart threshold). */
function big(): string {
  const b = Buffer.alloc(70 << 20);
  readFileSync(sample).copy(b);
  for (let i = 1 << 16; i < b.length; i += 4096) b.writeUInt32LE(i ^ 0x5a5a5a5a, i);
  const p = join(work, 'big.sif');
  writeFileSync(p, b);
  return p;
}

describe.each(['redirect', 'direct'] as const)('the reference Go client and sifkit against the test library (downloads: %s)', (download) => {
  let s: TestLibrary;
  it('the Go client pushes, pulls, searches and deletes without error or violation', async () => {
    s = await startLibraryServer({ download, partSize: 32 << 20 });
    const pushed = JSON.parse(await go('push', s.url, s.token, sample, 'goent/col/sample', 'amd64', 'latest,1.0', 'pushed by Go')) as { containerUrl?: string };
    expect(pushed.containerUrl).toBe('/library/goent/col/sample');
    const target = file();
    await go('pull', s.url, target, 'goent/col/sample', '1.0', 'amd64');
    expect(same(target, sample)).toBe(true);
    const found = JSON.parse(await go('search', s.url, 'sample', 'amd64', 'true')) as { image: { entityName: string; tags: string[] }[] };
    expect(found.image.map((i) => [i.entityName, i.tags])).toEqual([['goent', ['1.0', 'latest']]]);
    await go('delete', s.url, s.token, 'goent/col/sample:1.0', 'amd64');
    await expect(go('image', s.url, 'goent/col/sample:1.0', 'amd64')).rejects.toThrow(/not found/);
    expect(s.state.violations).toEqual([]);
  });

  it('images pushed by either client are pulled by the other byte for byte (single and multipart)', async () => {
    const large = big();
    // Go pushes, sifkit pulls
    await go('push', s.url, s.token, large, 'goent/col/big', 'amd64', 'latest', 'big by Go');
    expect(s.state.requests.filter((r) => r.path.includes('/s3/part/')).length).toBe(3); // 70 MiB in 32 MiB parts
    const c = new LibraryClient({ baseUrl: s.url, token: s.token });
    let target = file();
    await pullToFile(c, 'goent/col/big:latest', 'amd64', target);
    expect(same(target, large)).toBe(true);
    // sifkit pushes, Go pulls
    s.state.requests.length = 0;
    await pushFile(c, large, 'skent/col/big', 'amd64', ['latest', 'v2'], 'big by sifkit');
    expect(s.state.requests.filter((r) => r.path.includes('/s3/part/')).length).toBe(3);
    await pushFile(c, sample, 'skent/col/sample', 'amd64', ['latest'], 'sample by sifkit');
    for (const [path, tag, want] of [['skent/col/big', 'v2', large], ['skent/col/sample', 'latest', sample]] as const) {
      target = file();
      await go('pull', s.url, target, path, tag, 'amd64');
      expect(same(target, want)).toBe(true);
    }
    const img = JSON.parse(await go('image', s.url, 'skent/col/sample:latest', 'amd64')) as { hash: string; arch: string; uploaded: boolean };
    expect(img).toMatchObject({ arch: 'amd64', uploaded: true });
    expect(img.hash).toMatch(/^sha256\.[0-9a-f]{64}$/);
    expect(s.state.violations).toEqual([]);
    await s.close();
  });
});

describe('reference parsing, differential', () => {
  it('the Go client’s Parse and sifkit’s agree on every row of ref_test.go and on more', async () => {
    const extra = ['library://a/b/c:t1,t2', 'library://h:1/x', 'library:a%20b', 'library://%zz/x', 'library://h:port/x', 'library://[::1/x', 'LIBRARY:x', 'library:x:y:z'];
    const raws = [...PARSE_TABLE.map((r) => r[1]), ...extra];
    const lines = (await go('parse', ...raws)).trim().split('\n').map((l) => JSON.parse(l) as { raw: string; error?: string; host?: string; path?: string; tags?: string[] | null; string?: string });
    expect(lines.length).toBe(raws.length);
    for (const g of lines) {
      let mine: ReturnType<typeof parseLibraryRef> | undefined;
      let err: Error | undefined;
      try {
        mine = parseLibraryRef(g.raw);
      } catch (e) {
        err = e as Error;
      }
      if (g.error !== undefined) {
        expect(err, `${g.raw}: Go says ${g.error}`).toBeDefined();
        if (g.error.startsWith('library:')) expect(err!.message.startsWith(g.error), g.raw).toBe(true);
      } else {
        expect(err, `${g.raw}: Go parses it`).toBeUndefined();
        expect({ host: mine!.host, path: mine!.path, tags: mine!.tags ?? null }, g.raw).toEqual({ host: g.host, path: g.path, tags: g.tags });
      }
    }
  });
});
