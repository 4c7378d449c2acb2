// sifkit build --remote end to end against the test build service and the test library: the log
// streamed verbatim, the %files build context (names, contents, deleted afterwards), the image
// downloaded and equal to what the service built, detached mode, Ctrl-C cancelling on the service,
// and the missing-token failure.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBuildServer, type TestBuilder } from '../build-server/server.mjs';
import { startLibraryServer, type TestLibrary } from '../library-server/server.mjs';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

let lib: TestLibrary;
let builder: TestBuilder;
const dir = mkdtempSync(join(tmpdir(), 'sifkit-build-'));
const image = readFileSync(join(TESTDATA, 'images/sample-signed.sif'));
const env = (): Record<string, string> => ({ SIFKIT_LIBRARY_TOKEN: lib.token, SINGULARITY_CONFIGDIR: join(dir, 'config') });
const flags = (): string[] => ['--remote', '--builder', builder.url, '--library', lib.url, '--arch', 'amd64'];

beforeAll(async () => {
  lib = await startLibraryServer();
  builder = await startBuildServer({ library: lib, image, token: lib.token });
});
afterAll(async () => {
  await builder.close();
  await lib.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sifkit build --remote', () => {
  it('streams the log, uploads the %files context, downloads the built image', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'sub/a.txt'), 'alpha\n');
    writeFileSync(join(dir, 'b.txt'), 'beta\n');
    symlinkSync(join(dir, 'b.txt'), join(dir, 'link.txt'));
    const def = join(dir, 'test.def');
    writeFileSync(def, `Bootstrap: docker\nFrom: alpine\n\n%files\n    ${src} /opt/src\n    ${join(dir, 'link.txt')} /opt/link\n\n%files from stage1\n    /not/uploaded\n\n%post\n    echo hi\n`);
    const out = join(dir, 'out.sif');
    const r = await runCli(['build', ...flags(), out, def], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('INFO:    Starting build...\nINFO:    Creating SIF file...\nINFO:    Build complete: /tmp/image.sif\n');
    expect(r.stderr).toBe(`INFO:    Preparing to upload ${src} to remote build service...\nINFO:    Preparing to upload ${join(dir, 'link.txt')} to remote build service...\n`);
    expect(Buffer.compare(readFileSync(out), image)).toBe(0);
    const b = [...builder.state.builds.values()].at(-1)!;
    expect(b.def).toBe(readFileSync(def, 'utf8'));
    expect(b.req).toMatchObject({ libraryRef: '', libraryURL: lib.url, builderRequirements: { arch: 'amd64' }, workingDir: process.cwd() });
    const digest = b.req.contextDigest as string;
    const entries = builder.contextNames(digest);
    const rel = (p: string): string => p.replace(/^\//, '');
    expect(entries.map((e) => [e.name, e.type])).toEqual([
      ...rel(dir).split('/').map((_, i, a) => [`${a.slice(0, i + 1).join('/')}/`, '5']),
      [`${rel(src)}/`, '5'],
      [`${rel(src)}/sub/`, '5'],
      [`${rel(src)}/sub/a.txt`, '0'],
      [rel(join(dir, 'link.txt')), '0'],
    ]);
    expect(Buffer.from(entries.at(-1)!.data).toString()).toBe('beta\n'); // the link's target's content
    expect(builder.state.deletedContexts).toEqual([digest]);
    expect([...builder.state.violations, ...lib.state.violations]).toEqual([]);
  });

  it('--detached prints how to pull the result', async () => {
    const def = join(dir, 'plain.def');
    writeFileSync(def, 'Bootstrap: docker\nFrom: alpine\n');
    const r = await runCli(['build', ...flags(), '--detached', 'library://me/col/img:1', def], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`Build submitted! Once it is complete, the image can be retrieved by running:\n\tsifkit pull --library ${lib.url} library://me/col/img:1\n\n`);
  });

  it('Ctrl-C cancels the build on the service', async () => {
    const held = await startBuildServer({ library: lib, image, token: lib.token, hold: true });
    try {
      const def = join(dir, 'plain.def');
      const ctl = new AbortController();
      const chunks: string[] = [];
      const run = runCli(['build', '--remote', '--builder', held.url, '--library', lib.url, join(dir, 'never.sif'), def], { env: env(), signal: ctl.signal, onStdout: (s) => chunks.push(s) });
      for (let i = 0; i < 100 && chunks.join('').split('\n').length < 4; i++) await new Promise((r) => setTimeout(r, 20));
      ctl.abort();
      const r = await run;
      expect(r.code).toBe(255);
      expect(r.stderr).toBe('FATAL:   While performing build: build cancelled\n');
      expect(held.state.cancelled.length).toBe(1);
    } finally {
      await held.close();
    }
  });

  it('no token: singularity’s message', async () => {
    const r = await runCli(['build', ...flags(), join(dir, 'x.sif'), join(dir, 'plain.def')], { env: { SINGULARITY_CONFIGDIR: join(dir, 'config') } });
    expect(r.stderr).toBe('FATAL:   Unable to submit build job: no authentication token, log in with `sifkit remote login`\n');
  });
});
