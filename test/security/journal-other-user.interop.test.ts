// Journals and another local user, run as a real second user (runuser -u nobody; CI runs as root):
// a journal planted by another uid beside your image is never applied, and an image you own in a
// directory you cannot write is still edited (in place, after a warning, failures still rolled back).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { craftJournal, imageIdentity } from '../helpers/journal.js';
import { CLI, TESTDATA } from '../helpers/paths.js';

const nobody = Number(execFileSync('id', ['-u', 'nobody']).toString());
const nogroup = Number(execFileSync('id', ['-g', 'nobody']).toString());
const base = mkdtempSync(join(tmpdir(), 'sifkit-uid-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('these tests run as root (CI does) to switch to a second user with runuser');
  chmodSync(base, 0o755);
});

function asNobody(cmd: string, args: string[], input?: Uint8Array, env: Record<string, string> = {}) {
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return spawnSync('runuser', ['-u', 'nobody', '--', 'env', ...envArgs, cmd, ...args], { input, encoding: 'utf8' });
}
function sifkit(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

describe('a journal planted by another user', () => {
  it("nobody's perfect journal beside root's image in a sticky /tmp-like directory is never applied", async () => {
    const sticky = join(base, 'sticky');
    execFileSync('mkdir', ['-m', '1777', sticky]);
    const img = join(sticky, 'img.sif');
    copyFileSync(join(TESTDATA, 'images/sample-signed.sif'), img);
    chmodSync(img, 0o644);
    const before = readFileSync(img);
    // Everything right but the owner: this image's device, inode and structure digest, valid checks,
    // a record that would put nobody's bytes over the header.
    const id = await imageIdentity(img);
    const evil = craftJournal({ ...id, records: [{ offset: 0, data: new Uint8Array(128).fill(0x41) }] });
    const w = asNobody('sh', ['-c', `umask 077; cat > ${img}.sifkit-journal`], evil);
    expect(w.status).toBe(0);
    expect(statSync(`${img}.sifkit-journal`).uid).toBe(nobody);
    // nobody cannot write the image itself:
    expect(asNobody('sh', ['-c', `echo x >> ${img}`]).status).not.toBe(0);

    const list = sifkit(['list', img]);
    expect(list.status).toBe(0);
    expect(list.stderr).toMatch(/WARNING: .*ignoring the journal .*owned by uid 65534/);
    const verify = sifkit(['verify', '--key', join(TESTDATA, 'keys/sample-public.asc'), img]);
    expect(verify.status).toBe(0);
    for (const args of [['add', img, join(TESTDATA, 'input/data.bin'), '--datatype', '7'], ['recover', img], ['del', '--zero', '1', img]]) {
      const r = sifkit(args);
      expect(r.status, args[0]).not.toBe(0);
      expect(r.stderr).toMatch(/refusing the journal .*owned by uid 65534, not by the image's owner \(uid 0\)/);
    }
    expect(readFileSync(img).equals(before)).toBe(true);
    expect(existsSync(`${img}.sifkit-journal`)).toBe(true);
  });
});

describe('an image you own in a directory you cannot write', () => {
  const locked = join(base, 'readonly-dir');
  beforeAll(() => {
    execFileSync('mkdir', ['-m', '0755', locked]);
  });

  it('is edited in place after a warning, with the result siftool-identical to a journaled edit', () => {
    const img = join(locked, 'mine.sif');
    copyFileSync(join(TESTDATA, 'images/multi.sif'), img);
    chownSync(img, nobody, nogroup);
    const expected = join(base, 'expected.sif');
    copyFileSync(join(TESTDATA, 'images/multi.sif'), expected);
    const args = (p: string) => ['del', '--zero', '--time', '2026-01-02T03:04:05Z', '6', p];
    expect(sifkit(args(expected)).status).toBe(0);
    const r = asNobody(process.execPath, [CLI, ...args(img)]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/WARNING: +cannot create the crash journal .* \(permission denied\): editing in place/);
    expect(readFileSync(img).equals(readFileSync(expected))).toBe(true);
  });

  it('a failing write is still rolled back there (undo bytes in a private temporary file)', () => {
    const img = join(locked, 'mine2.sif');
    copyFileSync(join(TESTDATA, 'images/multi.sif'), img);
    chownSync(img, nobody, nogroup);
    const before = readFileSync(img);
    for (const fault of ['enospc@4', 'short@6', 'eio@9']) {
      const r = asNobody(process.execPath, [CLI, 'del', '--zero', '6', img], undefined, { SIFKIT_FAULT_INJECT: fault });
      expect(r.status, fault).toBe(1);
      expect(readFileSync(img).equals(before), fault).toBe(true);
    }
  });
});
