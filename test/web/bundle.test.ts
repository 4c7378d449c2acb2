// The bundle check itself: it passes the real build and fails a build with a Node import, with
// Vite's stand-in for a Node built-in, or with openpgp.js in the main chunk.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths.js';
import { WEB_DIST } from './browser.js';

const work = mkdtempSync(join(tmpdir(), 'sifkit-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const check = (dir: string) => spawnSync(process.execPath, [join(ROOT, 'scripts/check-bundle.mjs'), dir], { encoding: 'utf8' });
const mainChunk = (dir: string): string => join(dir, 'assets', /src="\.\/assets\/([^"]+)"/.exec(readFileSync(join(dir, 'index.html'), 'utf8'))![1]!);

describe('check:bundle', () => {
  it('passes the page as built, reporting every chunk', () => {
    const r = check(WEB_DIST);
    expect(r.status, r.stderr).toBe(0);
    for (const f of readdirSync(join(WEB_DIST, 'assets'))) expect(r.stdout).toContain(f);
  });
  it.each([
    ['a node: import', 'import{readFileSync as q}from"node:fs";'],
    ['a bare Node built-in', 'const z=await import("zlib");'],
    ["Vite's stand-in for a Node built-in", 'import"./__vite-browser-external-x.js";'],
    ['openpgp.js in the main chunk', 'const v="OpenPGP.js 6.3.2";'],
  ])('fails with %s', (_what, planted) => {
    const dir = join(work, String(Math.random()).slice(2));
    cpSync(WEB_DIST, dir, { recursive: true });
    const main = mainChunk(dir);
    writeFileSync(main, planted + readFileSync(main, 'utf8'));
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/check:bundle: /);
  });
});
