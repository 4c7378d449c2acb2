#!/usr/bin/env node
// sifkit benchmarks, side by side with baselines in the same run (alternating, several repetitions,
// medians, ratios, peak RSS). Makes its own images in a temporary folder:
//   - a 1 GiB single-object group, signed          (verify, sign, dump)
//   - 4 × 256 MiB objects in two groups, signed     (verify)
//   - 1,000 small objects                           (load + list)
// Baselines: `openssl dgst -sha256` (the SHA-256 limit), sif-ref (the reference library),
// siftool. Usage: npm run bench [-- --reps N --quick --rss4g --delzero3g]; the SquashFS readers:
// npm run bench -- --squashfs (bench/squashfs.mjs); in Chromium: npm run bench -- --web
// (bench/web.mjs); the library client: npm run bench -- --library (bench/library.mjs). Writes
// bench/results/latest.json.
import { execFileSync } from 'node:child_process';
import { race as raceN } from './lib.mjs';
import { mkdirSync, mkdtempSync, openSync, closeSync, writeSync, rmSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (args.includes('--library')) {
  await import('./library.mjs');
  process.exit(0);
}
if (args.includes('--web')) {
  await import('./web.mjs');
  process.exit(0);
}
if (args.includes('--squashfs')) {
  await import('./squashfs.mjs');
  process.exit(0);
}
const quick = args.includes('--quick');
const reps = Number(args[args.indexOf('--reps') + 1]) || (quick ? 2 : 5);
const GiB = 1 << 30;
const big = quick ? 256 << 20 : GiB;

const sifkit = join(root, 'bin/sifkit.js');
const race = (...a) => raceN(reps, ...a);
const key = join(root, 'testdata/keys/sample-secret.asc');
const pub = join(root, 'testdata/keys/sample-public.asc');

function oraclePath() {
  if (process.env.SIF_ORACLE) return process.env.SIF_ORACLE;
  for (const p of [join(root, '.ci/out/sif-ref'), join(root, 'node_modules/.cache/sif-ref/sif-ref')]) if (existsSync(p)) return p;
  const out = join(root, 'node_modules/.cache/sif-ref/sif-ref');
  mkdirSync(dirname(out), { recursive: true });
  execFileSync('bash', [join(root, 'test/oracle/build.sh'), out], { stdio: 'inherit' });
  return out;
}
const oracle = oraclePath();

function writeObjectFile(path, size) {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(8 << 20);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  for (let done = 0; done < size; done += chunk.length) {
    chunk.writeUInt32LE(done >>> 20, 0);
    writeSync(fd, chunk, 0, Math.min(chunk.length, size - done));
  }
  closeSync(fd);
}

const dir = mkdtempSync(join(tmpdir(), 'sifkit-bench-'));
try {
  const node = process.execPath;
  const sk = (...a) => execFileSync(node, [sifkit, ...a], { stdio: 'inherit' });
  console.error(`making images in ${dir} …`);
  const blob = join(dir, 'blob.bin');
  writeObjectFile(blob, big);
  const one = join(dir, 'one-1g.sif');
  sk('new', one);
  sk('add', one, blob, '--datatype', '4', '--parttype', '2', '--partfs', '1', '--partarch', '2', '--groupid', '1');
  const oneUnsigned = join(dir, 'one-1g-unsigned.sif');
  copyFileSync(one, oneUnsigned);
  sk('sign', '--key', key, one);
  const quarter = join(dir, 'quarter.bin');
  writeObjectFile(quarter, big / 4);
  const four = join(dir, 'four.sif');
  sk('new', four);
  for (const g of ['1', '1', '2', '2']) sk('add', four, quarter, '--datatype', '4', '--parttype', '3', '--partfs', '4', '--partarch', '2', '--groupid', g);
  sk('sign', '--key', key, four);
  const many = join(dir, 'many.sif');
  sk('new', '--capacity', '1100', many);
  {
    // 1,000 small objects through the library (one process) for speed of setup.
    const { openImage, addObject, DataType } = await import(join(root, 'dist/node.js'));
    const img = await openImage(many, { writable: true });
    for (let i = 0; i < 1000; i++) {
      await addObject(img, { dataType: DataType.Generic, data: new TextEncoder().encode(`object ${i}\n`), group: 1 + (i % 10), name: `o${i}` });
    }
    await img.close();
  }

  const results = [];
  const size = (p) => Number(execFileSync('stat', ['-c', '%s', p]).toString());
  results.push(
    race(`verify ${big >> 20} MiB, one object`, {
      sifkit: [node, [sifkit, 'verify', '--key', pub, one]],
      'sifkit, @noble/hashes back end': ['env', ['SIFKIT_HASH_BACKEND=noble', 'SIFKIT_WORKERS=0', node, sifkit, 'verify', '--key', pub, one]],
      'openssl dgst -sha256': ['openssl', ['dgst', '-sha256', one]],
      'sif-ref verify': [oracle, ['verify', '--key', pub, one]],
    }, size(one)),
  );
  results.push(
    race(`verify 4 × ${big >> 22} MiB, two groups`, {
      sifkit: [node, [sifkit, 'verify', '--key', pub, four]],
      'sifkit, no workers': ['env', ['SIFKIT_WORKERS=0', node, sifkit, 'verify', '--key', pub, four]],
      'openssl dgst -sha256': ['openssl', ['dgst', '-sha256', four]],
      'sif-ref verify': [oracle, ['verify', '--key', pub, four]],
    }, size(four)),
  );
  const signCopy = join(dir, 'sign-copy.sif');
  results.push(
    race(`sign ${big >> 20} MiB, one object`, {
      sifkit: [node, [sifkit, 'sign', '--key', key, signCopy]],
      'sif-ref sign': [oracle, ['sign', '--key', key, signCopy]],
    }, size(oneUnsigned), () => copyFileSync(oneUnsigned, signCopy)),
  );
  results.push(
    race(`dump ${big >> 20} MiB object to /dev/null`, {
      sifkit: [node, [sifkit, 'dump', '1', one]],
      siftool: ['siftool', ['dump', '1', one]],
    }, big),
  );
  results.push(
    race('load + list, 1,000 objects', {
      sifkit: [node, [sifkit, 'list', many]],
      siftool: ['siftool', ['list', many]],
    }, 0),
  );
  results.push(
    race('start-up: sifkit --version vs node -e 0', {
      'sifkit --version': [node, [sifkit, '--version']],
      'node -e 0': [node, ['-e', '0']],
    }, 0),
  );

  if (args.includes('--rss4g')) {
    // Peak RSS while verifying a 4 GiB image (the object is a sparse 4 GiB file copied in).
    const blob4 = join(dir, 'blob4.bin');
    execFileSync('truncate', ['-s', '4G', blob4]);
    const img4 = join(dir, 'four-gib.sif');
    sk('new', img4);
    sk('add', img4, blob4, '--datatype', '4', '--parttype', '2', '--partfs', '1', '--partarch', '2', '--groupid', '1');
    rmSync(blob4);
    sk('sign', '--key', key, img4);
    results.push(
      race('verify 4 GiB, one object (peak RSS)', {
        sifkit: [node, [sifkit, 'verify', '--key', pub, img4]],
        'openssl dgst -sha256': ['openssl', ['dgst', '-sha256', img4]],
      }, size(img4)),
    );
    rmSync(img4);
  }

  if (args.includes('--delzero3g')) {
    // Peak RSS of the library's deleteObject({ zero: true }) on a 3 GiB object, with its defaults
    // (the crash journal beside the image holds the undo bytes, streamed in 1 MiB records), beside
    // siftool's del (which neither zeroes nor keeps undo data) on the same image.
    const blob3 = join(dir, 'blob3.bin');
    execFileSync('truncate', ['-s', '3G', blob3]);
    const base3 = join(dir, 'three-gib.sif');
    sk('new', base3);
    sk('add', base3, blob3, '--datatype', '7', '--groupid', '1');
    rmSync(blob3);
    const img3 = join(dir, 'three-gib-work.sif');
    results.push(
      race('delete --zero of a 3 GiB object via the library (peak RSS)', {
        'sifkit library deleteObject({zero})': [node, [join(root, 'bench/lib-delete-zero.mjs'), img3, '1']],
        'siftool del (no zeroing)': ['siftool', ['del', '1', img3]],
      }, 3 * GiB, () => execFileSync('cp', ['--sparse=always', base3, img3])),
    );
    rmSync(img3, { force: true });
    rmSync(base3);
  }

  const machine = { cpu: cpus()[0]?.model, cores: cpus().length, memGiB: Math.round(totalmem() / GiB), node: process.version, date: new Date().toISOString() };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/latest.json'), JSON.stringify({ machine, reps, results }, null, 2) + '\n');

  console.log(`\nsifkit benchmarks — ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, Node ${machine.node}; median of ${reps}\n`);
  console.log('| benchmark | contender | median s | MB/s | peak RSS MiB | ratio vs sifkit |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of results) {
    const base = Object.values(r.results)[0].medianSecs;
    for (const [k, v] of Object.entries(r.results)) {
      const ratio = v.medianSecs / base;
      console.log(`| ${r.name} | ${k} | ${v.medianSecs.toFixed(3)} | ${v.mbps ? v.mbps.toFixed(0) : ''} | ${v.rssMiB.toFixed(0)} | ${ratio.toFixed(2)}× |`);
    }
  }
  console.log('\n(ratio = contender time / first row\'s time: above 1 means the first row is faster)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
