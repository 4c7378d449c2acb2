#!/usr/bin/env node
// In-browser benchmark (npm run bench -- --web): the inspector page in Chromium headless verifies a
// signed 1 GiB image (one object), side by side with `openssl dgst -sha256` of the same file (the
// machine's SHA-256 limit), alternating, median of --reps N (default 3); the main thread's longest
// task during each verification; and SHA-256 throughput of each candidate hash back end inside
// Chromium (@noble/hashes, hash-wasm, WebCrypto one-shot), the measurement behind src/hash/web.ts.
// Writes bench/results/web.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launch, serveStatic } from './chromium.mjs';
import { makePartitionImage, median } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1]) || 3;
const size = args.includes('--quick') ? 256 << 20 : 1 << 30;
const sifkit = join(root, 'bin/sifkit.js');
const dir = mkdtempSync(join(tmpdir(), 'sifkit-webbench-'));

if (!existsSync(join(root, 'web/dist/index.html'))) execFileSync('npm', ['run', 'build:web'], { cwd: root, stdio: 'inherit' });

try {
  // The image: one 1 GiB partition in group 1, signed with the sample key.
  const image = join(dir, 'big.sif');
  makePartitionImage(sifkit, dir, image, size, join(root, 'testdata/keys/sample-secret.asc'));

  const server = await serveStatic(join(root, 'web/dist'));
  const browser = await launch();
  const page = await browser.newPage();
  await page.goto(`${server.origin}/index.html`);
  await page.setInputFiles('#image-input', image);
  await page.waitForSelector('html[data-image="ready"]', { state: 'attached' });
  await page.setInputFiles('#key-input', join(root, 'testdata/keys/sample-public.asc'));
  await page.evaluate(() => {
    window.longest = 0;
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.longest = Math.max(window.longest, e.duration);
    }).observe({ type: 'longtask' });
  });

  const browserRuns = [];
  const opensslRuns = [];
  const longest = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('openssl', ['dgst', '-sha256', image], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error('openssl dgst failed');
    opensslRuns.push(Number(process.hrtime.bigint() - t0) / 1e9);
    await page.evaluate(() => {
      window.longest = 0;
      delete document.documentElement.dataset.verify;
    });
    const t1 = process.hrtime.bigint();
    await page.click('#verify-button');
    await page.waitForSelector('html[data-verify]', { state: 'attached', timeout: 600_000 });
    browserRuns.push(Number(process.hrtime.bigint() - t1) / 1e9);
    const verdict = await page.textContent('#verdict');
    if (verdict !== 'Verified') throw new Error(`the page said ${verdict}`);
    longest.push(await page.evaluate(() => window.longest));
  }
  const backend = await page.getAttribute('html', 'data-hash-backend');

  // Hash back ends inside Chromium.
  const hashDir = join(dir, 'hash');
  await build({
    configFile: false,
    logLevel: 'warn',
    root,
    build: { outDir: hashDir, lib: { entry: join(root, 'bench/web-hashers.mjs'), formats: ['iife'], name: 'hb', fileName: () => 'hashers.js' }, minify: true },
  });
  writeFileSync(join(hashDir, 'index.html'), '<!doctype html><script src="hashers.js"></script>');
  const hashServer = await serveStatic(hashDir);
  const hp = await browser.newPage();
  await hp.goto(`${hashServer.origin}/index.html`);
  const hashers = await hp.evaluate(() => window.hashBench(256));
  await browser.close();
  await server.close();
  await hashServer.close();

  const b = median(browserRuns);
  const o = median(opensslRuns);
  const MiB = size / 2 ** 20;
  const result = {
    date: new Date().toISOString(),
    imageBytes: size,
    reps,
    hashBackend: backend,
    browserVerify: { medianSecs: b, mibPerSec: MiB / b },
    opensslDgst: { medianSecs: o, mibPerSec: MiB / o },
    ratio: o / b,
    longestMainThreadTaskMs: Math.max(...longest),
    hashersInChromiumMiBps: hashers,
  };
  console.log(`verify of a signed ${MiB} MiB image in Chromium (page, ${backend} back end): ${b.toFixed(2)} s, ${(MiB / b).toFixed(0)} MiB/s`);
  console.log(`openssl dgst -sha256 of the same file:                         ${o.toFixed(2)} s, ${(MiB / o).toFixed(0)} MiB/s`);
  console.log(`ratio (openssl time / browser time): ${(o / b).toFixed(2)}×; longest main-thread task while hashing: ${Math.max(...longest).toFixed(0)} ms`);
  console.log('SHA-256 inside Chromium, MiB/s:', Object.entries(hashers).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', '));
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/web.json'), JSON.stringify(result, null, 2) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
