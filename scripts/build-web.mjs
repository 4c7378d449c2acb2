#!/usr/bin/env node
// npm run build:web: the split build (web/dist) and the single-file page
// (web/dist/sifkit-inspector.html, for file://).
import { spawnSync } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';

const vite = ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'];
for (const single of ['0', '1']) {
  const r = spawnSync(process.execPath, vite, { stdio: 'inherit', env: { ...process.env, SIFKIT_WEB_SINGLE: single } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
renameSync('web/dist-single/index.html', 'web/dist/sifkit-inspector.html');
rmSync('web/dist-single', { recursive: true, force: true });
console.log('web/dist: the page for a static host; web/dist/sifkit-inspector.html: one file, also from file://');
