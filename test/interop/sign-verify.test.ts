// Both directions, with keys that are not in the repository (made by GnuPG now): every image sifkit
// signs verifies with the reference (sif-ref), and every image the reference signs verifies with
// sifkit. RSA 2048/3072/4096 with passphrases, Ed25519, ECDSA P-256.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';
import { gpgKey, oracle, type GpgKey } from './tools.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const algos: [string, string, string][] = [
  ['rsa2048', 'rsa2048', 'pass-2048'],
  ['rsa3072', 'rsa3072', 'pass 3072 with spaces'],
  ['rsa4096', 'rsa4096', 'pässwörd-4096'],
  ['ed25519', 'ed25519', ''],
  ['ecdsa', 'nistp256', 'ecdsa-pass'],
];

interface OracleVerify {
  ok: boolean;
  error?: string;
  results: { signature: number; verified: number[] | null; fingerprint?: string }[] | null;
}

describe('sign and verify against the reference, both ways', () => {
  const keys = new Map<string, GpgKey>();
  beforeAll(() => {
    for (const [name, algo, pass] of algos) keys.set(name, gpgKey(dir, name, algo, pass));
  }, 300_000);

  for (const [name] of algos) {
    it(`${name}: sifkit signs, the reference verifies`, async () => {
      const k = keys.get(name)!;
      for (const image of ['sample', 'multi']) {
        const path = join(dir, `${name}-${image}-by-sifkit.sif`);
        copyFileSync(join(TESTDATA, 'images', `${image}.sif`), path);
        const r = await runCli(['sign', '--key', k.secret, path], { env: { SIFKIT_PASSPHRASE: k.passphrase } });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const v = oracle<OracleVerify>(['verify', '--key', k.public, path]);
        expect(v.ok, JSON.stringify(v)).toBe(true);
        expect(v.results!.every((x) => x.fingerprint === k.fingerprint)).toBe(true);
        const covered = v.results!.flatMap((x) => x.verified ?? []).sort((a, b) => a - b);
        expect(covered).toEqual(image === 'sample' ? [1, 2, 3] : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      }
    });

    it(`${name}: the reference signs, sifkit verifies`, async () => {
      const k = keys.get(name)!;
      const path = join(dir, `${name}-by-oracle.sif`);
      copyFileSync(join(TESTDATA, 'images/multi.sif'), path);
      const s = oracle<{ ok: boolean; error?: string }>(['sign', '--key', k.secret, '--passphrase', k.passphrase, path]);
      expect(s.ok, s.error).toBe(true);
      const r = await runCli(['verify', '--key', k.public, path]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Fingerprint: ${k.fingerprint}`);
      expect(r.stdout).toContain(`Signing entity: ${name} (interop) <${name}@sifkit.test>`);
      // and with the wrong key, both refuse the same way
      const other = keys.get(name === 'ed25519' ? 'rsa2048' : 'ed25519')!;
      const bad = await runCli(['verify', '--key', other.public, path]);
      const ref = oracle<OracleVerify>(['verify', '--key', other.public, path]);
      expect(bad.code).toBe(255);
      expect(ref.ok).toBe(false);
      // the reference's message, then the key the signature descriptor names (sifkit's addition)
      expect(bad.stderr).toBe(`FATAL:   Failed to verify container: ${ref.error} (the signature names key ${k.fingerprint}, which is not among the keys given)\n`);
    });
  }

  it('object and group selection: sifkit signs objects 5 and 6, the reference verifies them', async () => {
    const k = keys.get('rsa2048')!;
    const path = join(dir, 'objects.sif');
    copyFileSync(join(TESTDATA, 'images/multi.sif'), path);
    expect((await runCli(['sign', '-i', '5', '--key', k.secret, path], { env: { SIFKIT_PASSPHRASE: k.passphrase } })).code).toBe(0);
    expect((await runCli(['sign', '-g', '3', '--key', k.secret, path], { env: { SIFKIT_PASSPHRASE: k.passphrase } })).code).toBe(0);
    expect(oracle<OracleVerify>(['verify', '--key', k.public, '--object', '5', path]).ok).toBe(true);
    expect(oracle<OracleVerify>(['verify', '--key', k.public, '--group', '3', path]).ok).toBe(true);
    expect(oracle<OracleVerify>(['verify', '--key', k.public, '--group', '2', path]).ok).toBe(false);
    expect((await runCli(['verify', '--key', k.public, '-i', '5', path])).code).toBe(0);
    expect((await runCli(['verify', '--key', k.public, '-g', '2', path])).code).toBe(255);
  });

  it('a wrong passphrase is refused and leaves the image untouched', async () => {
    const k = keys.get('rsa3072')!;
    const path = join(dir, 'wrong-pass.sif');
    copyFileSync(join(TESTDATA, 'images/sample.sif'), path);
    const before = (await import('node:fs')).readFileSync(path);
    const r = await runCli(['sign', '--key', k.secret, path], { env: { SIFKIT_PASSPHRASE: 'wrong' } });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^FATAL: {3}Failed to sign container: failed to load key material: /);
    expect((await import('node:fs')).readFileSync(path)).toEqual(before);
  });

  it('passphrase on stdin when stdin is not a terminal', async () => {
    const k = keys.get('rsa2048')!;
    const path = join(dir, 'stdin-pass.sif');
    copyFileSync(join(TESTDATA, 'images/sample.sif'), path);
    const r = await runCli(['sign', '--key', k.secret, path], { stdin: `${k.passphrase}\n` });
    expect(r.code).toBe(0);
    expect(oracle<OracleVerify>(['verify', '--key', k.public, path]).ok).toBe(true);
  });
});
