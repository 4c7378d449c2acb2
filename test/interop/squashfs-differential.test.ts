/**
 * Differential tests against unsquashfs 4.5.1, live: for every committed fixture and for trees that
 * fast-check generates (files on disk → mksquashfs with a random codec, block size and flags → SIF by
 * siftool), `sifkit ls -lR` equals `unsquashfs -lln -UTC`, `sifkit cat` equals `unsquashfs -cat` byte
 * for byte, and `sifkit extract` makes the tree `unsquashfs -d` makes (names, types, modes, owners,
 * sizes, contents, link targets, hard links, devices, mtimes, xattrs).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, linkSync, utimesSync, writeFileSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openImage } from '../../src/node.js';
import { rootFsObject } from '../../src/squashfs/rootfs.js';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';
import { describeTree } from '../helpers/tree.js';
import { run } from './tools.js';

const xattr = createRequire(import.meta.url)('@napi-rs/xattr') as Parameters<typeof describeTree>[1];
const work = mkdtempSync(join(tmpdir(), 'sifkit-sqdiff-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function partitionOffset(sif: string): Promise<number> {
  const img = await openImage(sif);
  try {
    return rootFsObject(img).offset;
  } finally {
    await img.close();
  }
}

/** Compares sifkit with unsquashfs on one SIF; `catAll` cats every regular file (else a sample). */
async function compare(sif: string, tag: string, catAll: boolean): Promise<void> {
  const off = String(await partitionOffset(sif));
  // listing
  const ref = run('unsquashfs', ['-lln', '-UTC', '-o', off, sif]);
  expect(ref.code, ref.stderr).toBe(0);
  const mine = await runCli(['ls', '-lR', sif]);
  expect(mine.code, mine.stderr).toBe(0);
  expect(mine.stdout).toBe(ref.stdout);
  // extraction
  const a = join(work, `${tag}-unsquashfs`);
  const b = join(work, `${tag}-sifkit`);
  const x = run('unsquashfs', ['-no-progress', '-q', '-d', a, '-o', off, sif]);
  expect(x.code, x.stderr).toBe(0);
  const e = await runCli(['extract', sif, '-C', b]);
  expect(e.code, e.stderr).toBe(0);
  const ta = describeTree(a, xattr);
  const tb = describeTree(b, xattr);
  expect(tb).toEqual(ta);
  // cat
  const files = ta.filter((d) => d.type === 'file' && !d.hardlink && (d.size ?? 0) < 64 << 20).map((d) => d.path);
  const chosen = catAll ? files : files.filter((_, i) => i % Math.ceil(files.length / 12) === 0);
  for (const p of chosen) {
    const r = run('unsquashfs', ['-cat', '-o', off, sif, p]);
    const m = await runCli(['cat', sif, p]);
    expect(m.code, m.stderr).toBe(0);
    expect(Buffer.from(m.stdoutBytes).equals(r.stdoutBytes), `${tag} ${p}`).toBe(true);
  }
  rmSync(a, { recursive: true, force: true });
  rmSync(b, { recursive: true, force: true });
}

describe('sifkit against unsquashfs on the fixtures', () => {
  const dir = join(TESTDATA, 'squashfs/images');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.sif'))) {
    it(f, async () => compare(join(dir, f), f, false), 240_000);
  }
});

// ---- property-generated trees ------------------------------------------------------------------

type Entry =
  | { kind: 'file'; name: string; size: number; pattern: 'text' | 'random' | 'zeros' | 'holes'; mode: number; mtime: number; xattr?: string }
  | { kind: 'dir'; name: string; mode: number; children: Entry[] }
  | { kind: 'symlink'; name: string; target: string }
  | { kind: 'hardlink'; name: string };

const nameArb = fc
  .array(fc.constantFrom(...'abcXYZ019 ._-é☃'.split('')), { minLength: 1, maxLength: 12 })
  .map((cs) => cs.join(''))
  .filter((n) => n !== '.' && n !== '..');
const sizeArb = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 4000, max: 140_000 }), fc.constantFrom(4096, 131072, 262144 + 5, 1 << 20));
const fileArb = fc.record({
  kind: fc.constant('file' as const),
  name: nameArb,
  size: sizeArb,
  pattern: fc.constantFrom('text' as const, 'random' as const, 'zeros' as const, 'holes' as const),
  mode: fc.constantFrom(0o644, 0o600, 0o755, 0o4755, 0o444),
  mtime: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  xattr: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
});
const leafArb = fc.oneof(
  { weight: 5, arbitrary: fileArb },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('symlink' as const), name: nameArb, target: fc.constantFrom('..', '/etc/passwd', 'x/y', '../../../../../../tmp', 'a'.repeat(200)) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hardlink' as const), name: nameArb }) },
);
const { tree: treeArb } = fc.letrec<{ tree: Entry[]; entry: Entry }>((tie) => ({
  tree: fc.array(tie('entry'), { maxLength: 8 }),
  entry: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: leafArb },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('dir' as const), name: nameArb, mode: fc.constantFrom(0o755, 0o700, 0o1777, 0o555), children: tie('tree') as fc.Arbitrary<Entry[]> }),
    },
  ) as fc.Arbitrary<Entry>,
}));
const optsArb = fc.record({
  comp: fc.constantFrom('gzip', 'lzma', 'lzo', 'xz', 'lz4', 'zstd'),
  block: fc.constantFrom('4K', '8K', '64K', '128K', '1M'),
  flags: fc.subarray(['-noI', '-noD', '-noF', '-noX', '-no-fragments', '-always-use-fragments', '-no-xattrs', '-no-exports', '-all-root']),
});

function content(size: number, pattern: string, seed: number): Buffer {
  const b = Buffer.alloc(size);
  if (pattern === 'zeros' || pattern === 'holes') return b;
  let x = seed | 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = pattern === 'text' ? 97 + ((x >>> 0) % 7) : x & 0xff;
  }
  return b;
}

/** Writes a generated tree; names are made unique per directory. */
function materialize(dir: string, entries: Entry[], firstFile: { path?: string }, seed: { n: number }): void {
  const used = new Set<string>();
  const dirs: [string, number][] = [];
  for (const e of entries) {
    let name = e.name;
    while (used.has(name)) name += '_';
    used.add(name);
    const p = join(dir, name);
    if (e.kind === 'file') {
      if (e.pattern === 'holes') {
        writeFileSync(p, '');
        execFileSync('truncate', ['-s', String(e.size), p]);
      } else writeFileSync(p, content(e.size, e.pattern, ++seed.n));
      if (e.xattr !== undefined) (xattr as unknown as { setAttributeSync(p: string, n: string, v: string): void }).setAttributeSync(p, 'user.fc', e.xattr);
      chmodSync(p, e.mode);
      utimesSync(p, e.mtime, e.mtime);
      firstFile.path ??= p;
    } else if (e.kind === 'dir') {
      mkdirSync(p);
      materialize(p, e.children, firstFile, seed);
      dirs.push([p, e.mode]);
    } else if (e.kind === 'symlink') symlinkSync(e.target, p);
    else if (firstFile.path) linkSync(firstFile.path, p);
    else writeFileSync(p, 'no file to link yet\n');
  }
  for (const [p, mode] of dirs) chmodSync(p, mode);
}

describe('sifkit against unsquashfs on generated trees', () => {
  it('ls -lR, cat and extract agree for random trees, codecs, block sizes and flags', async () => {
    let i = 0;
    await fc.assert(
      fc.asyncProperty(treeArb, optsArb, async (tree, o) => {
        const tag = `gen${i++}`;
        const src = join(work, `${tag}-src`);
        mkdirSync(src);
        materialize(src, tree, {}, { n: 0 });
        const sqfs = join(work, `${tag}.sqfs`);
        const sif = join(work, `${tag}.sif`);
        execFileSync('mksquashfs', [src, sqfs, '-noappend', '-no-progress', '-quiet', '-comp', o.comp, '-b', o.block, ...o.flags]);
        execFileSync('siftool', ['new', sif]);
        execFileSync('siftool', ['add', sif, sqfs, '--datatype', '4', '--parttype', '2', '--partfs', '1', '--partarch', '2']);
        try {
          await compare(sif, tag, true);
        } finally {
          // unwritable directories (0555) would stop the clean-up
          execFileSync('chmod', ['-R', 'u+w', src]);
          rmSync(src, { recursive: true, force: true });
          rmSync(sqfs, { force: true });
          rmSync(sif, { force: true });
        }
      }),
      { numRuns: Number(process.env.SIFKIT_SQUASHFS_RUNS ?? 40), endOnFailure: true },
    );
  }, 600_000);
});

describe('sifkit export read by GNU tar', () => {
  it('tar -x of the export makes the tree unsquashfs -d makes (sockets aside)', async () => {
    const sif = join(TESTDATA, 'squashfs/images/gzip.sif');
    const off = String(await partitionOffset(sif));
    const a = join(work, 'tar-unsquashfs');
    const b = join(work, 'tar-x');
    expect(run('unsquashfs', ['-no-progress', '-q', '-d', a, '-o', off, sif]).code).toBe(0);
    const t = await runCli(['export', sif]);
    expect(t.code, t.stderr).toBe(0);
    mkdirSync(b);
    writeFileSync(join(work, 'rootfs.tar'), t.stdoutBytes);
    const x = run('tar', ['-x', '--xattrs', '--xattrs-include=*', '--same-owner', '-p', '-f', join(work, 'rootfs.tar'), '-C', b]);
    expect(x.code, x.stderr).toBe(0);
    expect(describeTree(b, xattr)).toEqual(describeTree(a, xattr).filter((d) => d.type !== 'socket'));
  });
});
