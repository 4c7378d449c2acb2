#!/usr/bin/env node
// The browser bundle check (npm run check:bundle, after npm run build:web): no chunk of the page
// imports a Node built-in (nor Vite's stand-in for one), openpgp.js is not in the main chunk, and
// the size of every chunk is reported, raw and gzip. Exit status 1 when a rule is broken.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = process.argv[2] ?? 'web/dist';
const assets = join(dist, 'assets');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const entry = /<script type="module" crossorigin src="\.\/assets\/([^"]+)"/.exec(html)?.[1];
if (!entry) {
  console.error('check:bundle: web/dist/index.html names no entry script (run npm run build:web)');
  process.exit(1);
}
const NODE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s*|\brequire\s*\(\s*)["'`](node:[\w/]+|fs|path|os|crypto|zlib|child_process|worker_threads|url|util|stream|http|https|net)["'`]/g;
const problems = [];
const rows = [];
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const check = (name, code, kind) => {
  for (const m of code.matchAll(NODE_IMPORT)) problems.push(`${name}: imports ${m[1]}`);
  if (code.includes('__vite-browser-external')) problems.push(`${name}: a Node built-in was replaced by Vite's empty stand-in`);
  rows.push({ name, kind, raw: code.length, gzip: gzipSync(code).length });
};
for (const f of readdirSync(assets).sort()) {
  if (!f.endsWith('.js') && !f.endsWith('.css')) continue;
  const code = readFileSync(join(assets, f), 'utf8');
  const kind = f === entry ? 'main' : f.startsWith('worker') ? 'worker' : f.endsWith('.css') ? 'style' : 'lazy';
  check(f, code, kind);
  if (kind === 'main' && code.includes('OpenPGP.js')) problems.push(`${f}: openpgp.js is in the main chunk`);
}
check('sifkit-inspector.html', readFileSync(join(dist, 'sifkit-inspector.html'), 'utf8'), 'single file');
console.log('chunk                                     kind          raw         gzip');
for (const r of rows) console.log(`${r.name.padEnd(42)}${r.kind.padEnd(12)}${kb(r.raw).padStart(11)}${kb(r.gzip).padStart(13)}`);
const sum = (k) => rows.filter((r) => r.kind === k).reduce((n, r) => n + r.gzip, 0);
console.log(`main ${kb(sum('main'))} gzip; worker ${kb(sum('worker'))}; lazy chunks ${kb(sum('lazy'))}; single file ${kb(sum('single file'))}`);
if (problems.length) {
  for (const p of problems) console.error(`check:bundle: ${p}`);
  process.exit(1);
}
console.log('check:bundle: no Node built-in in any chunk; openpgp.js only in a lazy chunk');
