// Images built by SingularityCE and Apptainer (real-world/ in the reference fixtures): every one loads
// and lists as siftool lists it, signed ones verify with their keys, and the X.509-signed one (Apptainer's
// 2022 format) verifies with its certificate as the root, not with another root, not when tampered.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { referenceFixtures, TESTDATA } from '../helpers/paths.js';

const RW = join(referenceFixtures(), 'real-world');
const images = readdirSync(RW).filter((f) => f.endsWith('.sif'));

describe('real-world images', () => {
  it('the folder holds the images its README lists', () => {
    expect(images.length).toBeGreaterThanOrEqual(6);
  });
  for (const f of images) {
    it(`${f}: header and list load; every object's data reads`, async () => {
      const path = join(RW, f);
      const h = await runCli(['header', path]);
      expect(h.code, h.stderr).toBe(0);
      const l = await runCli(['list', path]);
      expect(l.code, l.stderr).toBe(0);
      const ids = [...l.stdout.matchAll(/^(\d+) +\|/gm)].map((m) => m[1]!);
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect((await runCli(['info', id, path])).code).toBe(0);
    });
  }
  it('apptainer-one-group-signed-pgp verifies with apptainer\'s test key', async () => {
    const r = await runCli(['verify', '--key', join(RW, 'apptainer-test-pgp-public.asc'), join(RW, 'apptainer-one-group-signed-pgp.sif')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Fingerprint: F34371D0ACD5D09EB9BD853A80600A5FA11BBD29');
  });
  it('busybox images carry a signature that an unrelated key does not verify', async () => {
    const r = await runCli(['verify', '--key', join(RW, 'apptainer-test-pgp-public.asc'), join(RW, 'busybox_amd64.sif')]);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^FATAL: +Failed to verify container: integrity: signature object 5 not valid: .*unknown entity/);
  });
  it('the X.509-signed image verifies with its certificate as root, and only then', async () => {
    const image = join(RW, 'apptainer-one-group-signed-x509.sif');
    const crt = join(RW, 'apptainer-x509-example.crt');
    const ok = await runCli(['verify', '--certificate', crt, '--certificate-roots', crt, image]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/1 +\|1 +\|NONE +\|FS\n2 +\|1 +\|NONE +\|FS\nContainer verified: /);
    const other = await runCli(['verify', '--certificate', crt, '--certificate-roots', join(TESTDATA, 'x509/root.pem'), image]);
    expect(other.code).toBe(255);
    expect(other.stderr).toMatch(/x509: certificate signed by unknown authority/);
    const nokey = await runCli(['verify', image]);
    expect(nokey.stderr).toMatch(/key material not provided for X\.509 signature \(verify it with --certificate\)/);
    // a changed byte of the root file system
    const copy = join(mkdtempSync(join(tmpdir(), 'sifkit-x509rw-')), 'x509.sif');
    const bytes = readFileSync(image);
    bytes[36864 + 100] ^= 1;
    writeFileSync(copy, bytes);
    const tampered = await runCli(['verify', '--certificate', crt, '--certificate-roots', crt, copy]);
    expect(tampered.code).toBe(255);
    expect(tampered.stderr).toMatch(/integrity: data object integrity compromised: 2/);
  });
});
