// The crash journal is not an attack surface: every journal that is not an authenticated record of an
// interrupted edit of this very image is refused (writable opens, `sifkit recover`) or ignored
// (read-only opens), and the image stays byte for byte and length as it was. Each case first sets up
// the attack as it was reproduced against the old journal (issue: "Safe edits, redesigned").
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, openSync, closeSync, ftruncateSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSifError } from '../../src/errors.js';
import { journalStatus, openImage, recoverImage, FileStore } from '../../src/node.js';
import { runCli } from '../helpers/cli.js';
import { craftJournal, craftV1Journal, imageIdentity } from '../helpers/journal.js';
import { CLI, TESTDATA } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-journal-sec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function fresh(base = 'sample-signed.sif'): string {
  const img = join(dir, `${n++}-${base}`);
  copyFileSync(join(TESTDATA, 'images', base), img);
  chmodSync(img, 0o644);
  return img;
}

/** A real pending edit: `add` killed after its journal and part of its data are on disk. */
function interruptedAdd(img: string, at = 8): void {
  const r = spawnSync(process.execPath, [CLI, 'add', img, join(TESTDATA, 'input/data.bin'), '--datatype', '7', '--groupid', '2'], {
    env: { ...process.env, SIFKIT_FAULT_INJECT: `kill@${at}` },
  });
  expect(r.signal).toBe('SIGKILL');
  expect(existsSync(`${img}.sifkit-journal`)).toBe(true);
}

async function refusedEverywhere(img: string, reason: RegExp): Promise<void> {
  const before = readFileSync(img);
  for (const args of [['add', img, join(TESTDATA, 'input/data.bin'), '--datatype', '7'], ['recover', img], ['del', '1', img], ['setprim', '3', img]]) {
    const r = await runCli(args);
    expect(r.code, args[0]).not.toBe(0);
    expect(r.stderr).toMatch(/refusing the journal/);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }
  await expect(recoverImage(img)).rejects.toSatisfy((e) => isSifError(e, 'JOURNAL_REJECTED'));
  expect(readFileSync(img).equals(before)).toBe(true);
  expect(statSync(img).size).toBe(before.length);
}

describe('planted and foreign journals', () => {
  it('a 16-byte old-format journal (SIFKITJ1, size 0) no longer empties a signed image on verify', async () => {
    const img = fresh();
    const before = readFileSync(img);
    writeFileSync(`${img}.sifkit-journal`, craftV1Journal(0n), { mode: 0o600 });
    const r = await runCli(['verify', '--key', join(TESTDATA, 'keys/sample-public.asc'), img]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/WARNING: .*ignoring the journal .*not a sifkit journal of this version/);
    expect(readFileSync(img).equals(before)).toBe(true);
    expect(existsSync(`${img}.sifkit-journal`)).toBe(true); // read-only: not even the journal is touched
    await refusedEverywhere(img, /not a sifkit journal/);
  });

  it('an old-format journal with a record at 1 TiB no longer grows the image on list', async () => {
    const img = fresh();
    writeFileSync(`${img}.sifkit-journal`, craftV1Journal(1n << 40n, [{ offset: (1n << 40n) - 4n, data: new Uint8Array([1, 2, 3, 4]) }]), { mode: 0o600 });
    expect((await runCli(['list', img])).code).toBe(0);
    expect(statSync(img).size).toBe(statSync(join(TESTDATA, 'images/sample-signed.sif')).size);
    await refusedEverywhere(img, /not a sifkit journal/);
  });

  it('a well-formed journal naming bytes outside the image is refused', async () => {
    const img = fresh();
    const id = await imageIdentity(img);
    writeFileSync(`${img}.sifkit-journal`, craftJournal({ ...id, records: [{ offset: id.originalSize, data: new Uint8Array(8) }] }), { mode: 0o600 });
    await refusedEverywhere(img, /outside the image's original/);
  });

  it('a journal written for another file (same content, other inode) is refused', async () => {
    const img = fresh();
    const other = fresh();
    const id = await imageIdentity(other);
    writeFileSync(`${img}.sifkit-journal`, craftJournal({ ...id, records: [{ offset: 0, data: new Uint8Array(128) }] }), { mode: 0o600 });
    await refusedEverywhere(img, /belongs to another file/);
  });

  it('a stale journal: an add interrupted, then the image replaced by another (cp) — the new image is kept', async () => {
    const img = fresh('multi.sif');
    interruptedAdd(img);
    copyFileSync(join(TESTDATA, 'images/sample-signed.sif'), img); // same inode, other content
    const r = await runCli(['verify', '--key', join(TESTDATA, 'keys/sample-public.asc'), img]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/ignoring the journal/);
    await refusedEverywhere(img, /image (is shorter|has changed)/);
    expect(readFileSync(img).equals(readFileSync(join(TESTDATA, 'images/sample-signed.sif')))).toBe(true);
  });

  it('a symbolic link to a genuine journal of this image is refused', async () => {
    const img = fresh('multi.sif');
    interruptedAdd(img);
    renameSync(`${img}.sifkit-journal`, join(dir, 'elsewhere.journal'));
    symlinkSync(join(dir, 'elsewhere.journal'), `${img}.sifkit-journal`);
    await refusedEverywhere(img, /symbolic link/);
  });

  it('a genuine journal that other users may write is refused', async () => {
    const img = fresh('multi.sif');
    interruptedAdd(img);
    chmodSync(`${img}.sifkit-journal`, 0o666);
    await refusedEverywhere(img, /other users may write it \(mode 0666\)/);
  });

  it('a journal with a second hard link is refused', async () => {
    const img = fresh('multi.sif');
    interruptedAdd(img);
    spawnSync('ln', [`${img}.sifkit-journal`, join(dir, `${n}-hardlink`)]);
    await refusedEverywhere(img, /2 hard links/);
  });

  it('a journal damaged in the middle is refused; one torn at its end rolls back', async () => {
    const img = fresh('multi.sif');
    const orig = readFileSync(img);
    interruptedAdd(img, 12);
    const j = `${img}.sifkit-journal`;
    const good = readFileSync(j);
    const bad = Buffer.from(good);
    bad[100] ^= 0x40; // inside the first record
    writeFileSync(j, bad);
    await refusedEverywhere(img, /fails its check/);
    writeFileSync(j, good.subarray(0, good.length - 7)); // the last record cut short: a torn append
    expect(await recoverImage(img)).toBe('rolled-back');
    expect(readFileSync(img).equals(orig)).toBe(true);
  });

  it('a journal past 4 GiB (a sparse hole after a valid header) is refused in bounded time and memory', async () => {
    const img = fresh();
    const id = await imageIdentity(img);
    const j = `${img}.sifkit-journal`;
    writeFileSync(j, craftJournal(id), { mode: 0o600 });
    const fd = openSync(j, 'r+');
    ftruncateSync(fd, 5 * 2 ** 30);
    closeSync(fd);
    const rss = process.memoryUsage().rss;
    const t0 = Date.now();
    await expect(recoverImage(img)).rejects.toSatisfy((e) => isSifError(e, 'JOURNAL_REJECTED'));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 << 20);
    expect((await runCli(['list', img])).code).toBe(0);
  });
});

describe('read-only commands never write, and refuse a pending edit', () => {
  it('list, header, info, dump and verify exit non-zero naming the journal; the files are untouched', async () => {
    const img = fresh('multi.sif');
    interruptedAdd(img);
    const before = readFileSync(img);
    const journal = readFileSync(`${img}.sifkit-journal`);
    for (const args of [['list', img], ['header', img], ['info', '1', img], ['dump', '1', img], ['verify', img]]) {
      const r = await runCli(args);
      expect(r.code, args[0]).not.toBe(0);
      expect(r.stderr).toMatch(/an interrupted edit is pending .*sifkit-journal.*sifkit recover/);
      expect(r.stdout).toBe(args[0] === 'verify' ? '' : r.stdout);
    }
    const json = await runCli(['verify', '--json=full', img]);
    expect(JSON.parse(json.stdout).errors[0].code).toBe('EDIT_PENDING');
    await expect(openImage(img)).rejects.toSatisfy((e) => isSifError(e, 'EDIT_PENDING'));
    expect(readFileSync(img).equals(before)).toBe(true);
    expect(readFileSync(`${img}.sifkit-journal`).equals(journal)).toBe(true);
    const r = await runCli(['recover', img]);
    expect(r.stderr).toMatch(/Rolled back the interrupted edit/);
    expect(readFileSync(img).equals(readFileSync(join(TESTDATA, 'images/multi.sif')))).toBe(true);
    expect((await runCli(['list', img])).code).toBe(0);
  });

  it('journalStatus reports without changing anything', async () => {
    const img = fresh('multi.sif');
    interruptedAdd(img);
    const store = await FileStore.open(img, 'r');
    try {
      expect(await journalStatus(store)).toMatchObject({ state: 'pending', committed: false });
    } finally {
      await store.close();
    }
  });
});

describe('modes of the files sifkit creates', () => {
  it('the journal of a 0600 image is 0600 (it holds the bytes del --zero scrubs)', async () => {
    const img = fresh('multi.sif');
    chmodSync(img, 0o600);
    const r = spawnSync(process.execPath, [CLI, 'del', '--zero', '6', img], { env: { ...process.env, SIFKIT_FAULT_INJECT: 'kill@8' } });
    expect(r.signal).toBe('SIGKILL');
    expect(statSync(`${img}.sifkit-journal`).mode & 0o777).toBe(0o600);
    expect(await recoverImage(img)).toBe('rolled-back');
  });

  it('a new image follows the umask and is not executable', async () => {
    const img = join(dir, 'new.sif');
    expect((await runCli(['new', img])).code).toBe(0);
    const mode = statSync(img).mode & 0o777;
    expect(mode & 0o111).toBe(0);
    expect(mode).toBe(0o666 & ~process.umask());
  });
});
