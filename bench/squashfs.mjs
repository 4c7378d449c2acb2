#!/usr/bin/env node
// The SquashFS reader side by side with unsquashfs 4.5.1 in the same run (alternating, medians, peak
// RSS), on images made here by mksquashfs and wrapped in SIF by sifkit itself:
//   - one 1 GiB file, gzip and zstd                 `sifkit cat`      vs `unsquashfs -cat`
//   - 100,000 entries (1,000 directories × 100)     `sifkit ls -lR`   vs `unsquashfs -lln`
//   - 20,000 files, 1 GiB in all                    `sifkit extract`  vs `unsquashfs -d` (both cores)
// Usage: npm run bench -- --squashfs [--reps N] [--quick]   (--quick: 256 MiB, 20,000 entries).
// Writes bench/results/squashfs.json and prints the table the README shows.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { race } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const reps = Number(args[args.indexOf('--reps') + 1]) || (quick ? 2 : 3);
const MiB = 1 << 20;
const bigSize = quick ? 256 * MiB : 1024 * MiB;
const entries = quick ? 20_000 : 100_000;
const treeFiles = quick ? 5_000 : 20_000;
const sifkit = join(root, 'bin/sifkit.js');
const node = process.execPath;
const dir = mkdtempSync(join(tmpdir(), 'sifkit-sqbench-'));

/** Compressible bytes (about 3:1 with gzip), different in every MiB. */
function chunk(seed) {
  const b = Buffer.alloc(MiB);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < b.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = 97 + ((x >>> 16) % 13);
  }
  return b;
}
const pool = Array.from({ length: 8 }, (_, i) => chunk(i));

function writeBig(path, size) {
  const fd = openSync(path, 'w');
  for (let done = 0, i = 0; done < size; done += MiB, i++) {
    const c = pool[i % pool.length];
    c.writeUInt32LE(i, 0);
    writeSync(fd, c, 0, Math.min(MiB, size - done));
  }
  closeSync(fd);
}

function sif(sqfs, out) {
  execFileSync(node, [sifkit, 'new', out]);
  execFileSync(node, [sifkit, 'add', out, sqfs, '--datatype', '4', '--parttype', '2', '--partfs', '1', '--partarch', '2', '--groupid', '1']);
  rmSync(sqfs);
  // the partition's offset, for unsquashfs -o
  const list = execFileSync(node, [sifkit, 'list', out]).toString();
  return Number(/\|(\d+)-\d+\s+\|FS/.exec(list)[1]);
}
const mksquashfs = (src, out, ...opts) => execFileSync('mksquashfs', [src, out, '-noappend', '-no-progress', '-quiet', ...opts]);

try {
  console.error(`making images in ${dir} …`);
  const results = [];
  // 1. one big file
  mkdirSync(join(dir, 'big'));
  writeBig(join(dir, 'big/file'), bigSize);
  const bigSifs = {};
  for (const comp of ['gzip', 'zstd']) {
    mksquashfs(join(dir, 'big'), join(dir, `big-${comp}.sqfs`), '-comp', comp);
    bigSifs[comp] = { path: join(dir, `big-${comp}.sif`) };
    bigSifs[comp].off = sif(join(dir, `big-${comp}.sqfs`), bigSifs[comp].path);
  }
  rmSync(join(dir, 'big'), { recursive: true });
  // 2. many entries
  const many = join(dir, 'many');
  for (let d = 0; d < entries / 100; d++) {
    mkdirSync(join(many, `d${d}`), { recursive: true });
    for (let f = 0; f < 99; f++) writeFileSync(join(many, `d${d}`, `file-${f}.txt`), `${d}/${f}\n`);
  }
  mksquashfs(many, join(dir, 'many.sqfs'), '-comp', 'gzip');
  rmSync(many, { recursive: true });
  const manySif = join(dir, 'many.sif');
  const manyOff = sif(join(dir, 'many.sqfs'), manySif);
  // 3. a tree of many files
  const tree = join(dir, 'tree');
  const per = Math.floor(bigSize / treeFiles);
  for (let i = 0; i < treeFiles; i++) {
    const d = join(tree, `d${i % 200}`);
    if (i < 200) mkdirSync(d, { recursive: true });
    const size = Math.max(1, Math.floor(per * (0.25 + ((i * 7919) % 150) / 100)));
    const c = pool[i % pool.length];
    const fd = openSync(join(d, `f${i}`), 'w');
    for (let done = 0; done < size; done += MiB) writeSync(fd, c, (i * 4099) % 4096, Math.min(MiB - 4096, size - done));
    closeSync(fd);
  }
  mksquashfs(tree, join(dir, 'tree.sqfs'), '-comp', 'gzip');
  rmSync(tree, { recursive: true });
  const treeSif = join(dir, 'tree.sif');
  const treeOff = sif(join(dir, 'tree.sqfs'), treeSif);

  for (const comp of ['gzip', 'zstd']) {
    const { path, off } = bigSifs[comp];
    results.push(
      race(reps, `cat of a ${bigSize / MiB} MiB file (${comp})`, {
        'unsquashfs -cat': ['unsquashfs', ['-cat', '-o', String(off), path, '/file']],
        'sifkit cat': [node, [sifkit, 'cat', path, '/file']],
      }, bigSize),
    );
  }
  results.push(
    race(reps, `ls -lR of ${entries} entries`, {
      'unsquashfs -lln': ['unsquashfs', ['-lln', '-UTC', '-o', String(manyOff), manySif]],
      'sifkit ls -lR': [node, [sifkit, 'ls', '-lR', manySif]],
    }, 0),
  );
  const out = join(dir, 'out');
  results.push(
    race(reps, `extract of ${treeFiles} files, ${bigSize / MiB} MiB`, {
      'unsquashfs -d': ['unsquashfs', ['-no-progress', '-q', '-d', out, '-o', String(treeOff), treeSif]],
      'sifkit extract': [node, [sifkit, 'extract', treeSif, '-C', out]],
    }, bigSize, () => rmSync(out, { recursive: true, force: true })),
  );

  const machine = { cpu: cpus()[0]?.model, cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString() };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/squashfs.json'), JSON.stringify({ machine, reps, results }, null, 2) + '\n');
  console.log(`\nsifkit vs unsquashfs 4.5.1 — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; median of ${reps}\n`);
  console.log('| benchmark | contender | median s | MB/s | peak RSS MiB | speed vs unsquashfs |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of results) {
    const base = Object.values(r.results)[0].medianSecs;
    for (const [k, v] of Object.entries(r.results)) {
      console.log(`| ${r.name} | ${k} | ${v.medianSecs.toFixed(2)} | ${v.mbps ? v.mbps.toFixed(0) : ''} | ${v.rssMiB.toFixed(0)} | ${(base / v.medianSecs).toFixed(2)}× |`);
    }
  }
  console.log('\n(speed = unsquashfs time / contender time: 1× is as fast as unsquashfs)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
