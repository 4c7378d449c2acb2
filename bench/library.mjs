#!/usr/bin/env node
// Library pull and push of a 1 GiB image through the loopback test library (a separate process,
// scripts/serve-test-library.mjs), side by side with curl moving the same bytes to and from the same
// server (the limit: one stream, no checksums, no protocol) and with the reference Go library client
// (test/libclient: the same protocol, singularity's 5 MiB parts), alternating, median of --reps N (default 3), with
// sifkit's peak RSS. Run: npm run bench -- --library [--reps N] [--quick]. Writes
// bench/results/library.json.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makePartitionImage, measure, median } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1]) || 3;
const size = args.includes('--quick') ? 256 << 20 : 1 << 30;
const dir = mkdtempSync(join(tmpdir(), 'sifkit-libbench-'));
const sifkit = join(root, 'bin/sifkit.js');

const server = spawn(process.execPath, [join(root, 'scripts/serve-test-library.mjs'), '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const info = await new Promise((resolve, reject) => {
    server.stdout.once('data', (d) => resolve(JSON.parse(String(d))));
    server.once('exit', (c) => reject(new Error(`test library exited (${c})`)));
  });
  // The image: one partition of the given size (amd64), unsigned (push -U).
  const file = join(dir, 'big.sif');
  makePartitionImage(sifkit, dir, file, size);
  const env = { ...process.env, SIFKIT_LIBRARY_TOKEN: info.token, SINGULARITY_CONFIGDIR: join(dir, 'cfg'), SIFKIT_SYSTEM_REMOTE_CONFIG: join(dir, 'none') };
  const node = process.execPath;
  const libclient = process.env.SIFKIT_LIBCLIENT ?? join(root, 'node_modules/.cache/libclient/libclient');
  if (!existsSync(libclient)) execFileSync('bash', [join(root, 'test/libclient/build.sh'), libclient], { stdio: 'inherit' });
  const runs = { push: [], pushCurl: [], pushGo: [], pull: [], pullCurl: [], pullGo: [] };
  const rss = { push: 0, pull: 0 };
  let blobUrl = '';
  for (let i = 0; i < reps; i++) {
    const p = measure(node, [sifkit, 'push', '-U', '--library', info.library, file, `library://bench/col/big${i}:latest`], { env });
    runs.push.push(p.secs);
    rss.push = Math.max(rss.push, p.rssMiB);
    runs.pushCurl.push(measure('curl', ['-sS', '-o', '/dev/null', '-T', file, `${info.library}/s3/sink`]).secs);
    runs.pushGo.push(measure(libclient, ['push', info.library, info.token, file, `goent/col/big${i}`, 'amd64', 'latest', 'bench']).secs);
    const out = join(dir, `pulled${i}.sif`);
    const q = measure(node, [sifkit, 'pull', '--arch', 'amd64', '--library', info.library, out, `library://bench/col/big${i}:latest`], { env });
    runs.pull.push(q.secs);
    rss.pull = Math.max(rss.pull, q.rssMiB);
    rmSync(out);
    if (!blobUrl) {
      const loc = execFileSync('curl', ['-sS', '-o', '/dev/null', '-w', '%{redirect_url}', `${info.library}/v1/imagefile/bench/col/big0:latest?arch=amd64`], { encoding: 'utf8' });
      blobUrl = loc.trim();
    }
    runs.pullCurl.push(measure('curl', ['-sS', '-o', join(dir, 'curl.bin'), blobUrl]).secs);
    rmSync(join(dir, 'curl.bin'));
    runs.pullGo.push(measure(libclient, ['pull', info.library, join(dir, 'go.bin'), `bench/col/big${i}`, 'latest', 'amd64', String(5 << 20)]).secs);
    rmSync(join(dir, 'go.bin'));
  }
  const MiB = size / 2 ** 20;
  const m = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]));
  const result = {
    date: new Date().toISOString(),
    bytes: size,
    reps,
    push: { medianSecs: m.push, mibPerSec: MiB / m.push, peakRssMiB: rss.push },
    pushCurl: { medianSecs: m.pushCurl, mibPerSec: MiB / m.pushCurl },
    pull: { medianSecs: m.pull, mibPerSec: MiB / m.pull, peakRssMiB: rss.pull },
    pullCurl: { medianSecs: m.pullCurl, mibPerSec: MiB / m.pullCurl },
    pushGo: { medianSecs: m.pushGo, mibPerSec: MiB / m.pushGo },
    pullGo: { medianSecs: m.pullGo, mibPerSec: MiB / m.pullGo },
  };
  console.log(`push ${MiB} MiB: sifkit ${m.push.toFixed(2)} s (${(MiB / m.push).toFixed(0)} MiB/s, peak RSS ${rss.push.toFixed(0)} MiB); curl -T ${m.pushCurl.toFixed(2)} s (sifkit at ${(m.pushCurl / m.push).toFixed(2)}×); reference Go client ${m.pushGo.toFixed(2)} s (sifkit ${(m.pushGo / m.push).toFixed(2)}×)`);
  console.log(`pull ${MiB} MiB: sifkit ${m.pull.toFixed(2)} s (${(MiB / m.pull).toFixed(0)} MiB/s, peak RSS ${rss.pull.toFixed(0)} MiB); curl ${m.pullCurl.toFixed(2)} s (sifkit at ${(m.pullCurl / m.pull).toFixed(2)}×); reference Go client ${m.pullGo.toFixed(2)} s (sifkit ${(m.pullGo / m.pull).toFixed(2)}×)`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/library.json'), JSON.stringify(result, null, 2) + '\n');
} finally {
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}
