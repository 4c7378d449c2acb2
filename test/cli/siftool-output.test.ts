// `sifkit header|list|info|dump` must print exactly what siftool prints: on the project's images
// (goldens recorded from Debian's siftool by testdata/generate.sh); the v2.24.1 goldens are in
// test/conformance.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

const gold = join(TESTDATA, 'golden');
const images = readdirSync(join(TESTDATA, 'images')).filter((f) => f.endsWith('.sif')).map((f) => f.slice(0, -4));

describe('siftool 2.8.3 goldens on the project images', () => {
  for (const n of images) {
    const path = join(TESTDATA, 'images', `${n}.sif`);
    it(`${n}: header`, async () => {
      expect((await runCli(['header', path])).stdout).toBe(readFileSync(join(gold, `${n}.header`), 'utf8'));
    });
    it(`${n}: list`, async () => {
      expect((await runCli(['list', path])).stdout).toBe(readFileSync(join(gold, `${n}.list`), 'utf8'));
    });
    it(`${n}: info for every object`, async () => {
      let seen = 0;
      for (let id = 1; id <= 20; id++) {
        const g = join(gold, `${n}.info.${id}`);
        const r = await runCli(['info', String(id), path]);
        if (existsSync(g)) {
          expect(r.stdout).toBe(readFileSync(g, 'utf8'));
          seen++;
        } else expect(r.code).not.toBe(0);
      }
      expect(seen).toBeGreaterThan(2);
    });
  }
});

describe('CLI errors', () => {
  it('a missing file: one line on stderr, exit 1, no stack', async () => {
    const r = await runCli(['list', '/nonexistent/x.sif']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error: open /nonexistent/x.sif: no such file or directory\n');
  });
  it('object 0 is invalid', async () => {
    const r = await runCli(['info', '0', join(TESTDATA, 'images/sample.sif')]);
    expect(r).toMatchObject({ code: 1, stderr: 'Error: invalid object ID\n' });
  });
  it('an unknown object', async () => {
    const r = await runCli(['dump', '99', join(TESTDATA, 'images/sample.sif')]);
    expect(r).toMatchObject({ code: 1, stderr: 'Error: object not found\n' });
  });
  it('wrong argument count is a usage error', async () => {
    const r = await runCli(['list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: accepts 1 arg\(s\), received 0\n/);
  });
  it('an unknown flag is a usage error', async () => {
    const r = await runCli(['list', '--bogus', 'x.sif']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: unknown flag: --bogus\n/);
  });
  it('every command has --help', async () => {
    for (const c of ['header', 'list', 'info', 'dump', 'new', 'add', 'del', 'setprim', 'sign', 'verify']) {
      const r = await runCli([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toMatch(/Usage:\n {2}sifkit /);
    }
  });
});
