// Issue point 2, both ways with a GnuPG-made key whose primary key may only certify and whose [S]
// subkey signs (smartcard and careful GnuPG set-ups): sifkit signs with the subkey, and both the
// reference and sifkit verify the result. The reference itself signs with the primary key and its own
// verify then rejects the signature; sifkit gives the same verdict on that image.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';
import { oracle } from './tools.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-subkey-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const secret = join(dir, 'secret.asc');
const pub = join(dir, 'public.asc');
let fpr = '';

beforeAll(() => {
  const home = mkdtempSync(join(tmpdir(), 'sifkit-gpg-'));
  const env = { ...process.env, GNUPGHOME: home };
  const gpg = (...a: string[]) => execFileSync('gpg', ['--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', '', ...a], { env });
  gpg('--quick-gen-key', 'Cert Only (interop) <cert@sifkit.test>', 'rsa3072', 'cert', 'never');
  fpr = /^fpr:+([0-9A-F]+):/m.exec(gpg('--with-colons', '--fingerprint', 'cert@sifkit.test').toString())![1]!;
  gpg('--quick-add-key', fpr, 'rsa2048', 'sign', 'never');
  writeFileSync(secret, gpg('--armor', '--export-secret-keys', fpr));
  writeFileSync(pub, gpg('--armor', '--export', fpr));
  rmSync(home, { recursive: true, force: true });
});

describe('a certify-only primary key with a signing subkey', () => {
  it('sifkit signs with the subkey; the reference and sifkit verify', async () => {
    const img = join(dir, 'sifkit-signed.sif');
    copyFileSync(join(TESTDATA, 'images/multi.sif'), img);
    const s = await runCli(['sign', '--key', secret, img]);
    expect(s.code, s.stderr).toBe(0);
    expect(oracle<{ ok: boolean }>(['verify', '--key', pub, img]).ok).toBe(true);
    const v = await runCli(['verify', '--key', pub, img]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain(`Fingerprint: ${fpr}`);
  });

  it('the reference signs with the primary key; its verify and sifkit\'s both reject that image', async () => {
    const img = join(dir, 'reference-signed.sif');
    copyFileSync(join(TESTDATA, 'images/multi.sif'), img);
    expect(oracle<{ ok: boolean }>(['sign', '--key', secret, img]).ok).toBe(true);
    const ref = oracle<{ ok: boolean; error?: string }>(['verify', '--key', pub, img]);
    expect(ref.ok).toBe(false);
    const v = await runCli(['verify', '--key', pub, img]);
    expect(v.code).toBe(255);
    expect(v.stderr).toContain(ref.error!.replace(/^integrity: /, ''));
  });
});
