// Issue point 16: the package as a newcomer finds it — a licence file matching package.json, the
// metadata npm shows, source maps that carry their sources, an engines field the code honours.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './helpers/paths.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

it('LICENSE is the BSD-3-Clause licence package.json names, and it ships', () => {
  expect(pkg.license).toBe('BSD-3-Clause');
  expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^BSD 3-Clause License\n/);
  expect(pkg.files).toContain('LICENSE');
});

it('author, repository, bugs and homepage are set', () => {
  for (const k of ['author', 'repository', 'bugs', 'homepage']) expect(pkg[k], k).toBeTruthy();
});

it('source maps ship their sources (sourcesContent), so they resolve without src/', () => {
  const maps = readdirSync(join(ROOT, 'dist/image')).filter((f) => f.endsWith('.js.map'));
  expect(maps.length).toBeGreaterThan(0);
  for (const m of maps) {
    const map = JSON.parse(readFileSync(join(ROOT, 'dist/image', m), 'utf8'));
    expect(map.sourcesContent?.[0], m).toMatch(/\S/);
  }
});

it('engines says what the code needs (process.getBuiltinModule: Node 20.16)', () => {
  expect(pkg.engines.node).toBe('>=20.16');
  expect(typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule).toBe('function');
});
