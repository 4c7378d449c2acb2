// Issue points 2-4: signing with a signing subkey (a certify-only primary with an [S] subkey), refusing
// expired and revoked keys by name and reason, reading every key of a concatenated armored keyring,
// and saying that an X.509 certificate is not an OpenPGP key.
import * as openpgp from 'openpgp';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPgpKeys } from '../../src/keys/pgp.js';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-signkeys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function image(): string {
  const p = join(dir, `${n++}.sif`);
  copyFileSync(join(TESTDATA, 'images/multi.sif'), p);
  return p;
}
function save(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
const uid = { name: 'Signer Test', email: 'signer@sifkit.test' };

describe('point 2: a signing subkey signs', () => {
  it('the newest signing-capable subkey makes the signature; verify names the primary key', async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [uid], subkeys: [{ sign: true }], format: 'object' });
    const img = image();
    expect((await runCli(['sign', '--key', save('sub-secret.asc', privateKey.armor()), img])).code).toBe(0);
    const r = await runCli(['verify', '--json=full', '--key', save('sub-public.asc', publicKey.armor()), img]);
    expect(r.code).toBe(0);
    const sig = JSON.parse(r.stdout).signatures[0];
    expect(sig.signer.fingerprint).toBe(publicKey.getFingerprint().toUpperCase());
    expect(sig.signer.keyId).toBe(publicKey.subkeys[0]!.getKeyID().toHex().toUpperCase());
    expect(sig.signer.keyId).not.toBe(publicKey.getKeyID().toHex().toUpperCase());
  });
});

describe('point 3: expired and revoked keys do not sign', () => {
  it('an expired key is refused, naming it and why; the image is unchanged', async () => {
    const { privateKey } = await openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [uid], date: new Date(Date.now() - 10 * 86400_000), keyExpirationTime: 86400, format: 'object' });
    const img = image();
    const before = readFileSync(img);
    const r = await runCli(['sign', '--key', save('expired.asc', privateKey.armor()), img]);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(new RegExp(`key ${privateKey.getFingerprint().toUpperCase()} expired on \\d{4}-\\d\\d-\\d\\d`));
    expect(readFileSync(img).equals(before)).toBe(true);
  });
  it('a revoked key is refused', async () => {
    const { privateKey } = await openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [uid], format: 'object' });
    const { privateKey: revoked } = await openpgp.revokeKey({ key: privateKey, format: 'object' });
    const r = await runCli(['sign', '--key', save('revoked.asc', revoked.armor()), image()]);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(new RegExp(`key ${privateKey.getFingerprint().toUpperCase()} is revoked`));
  });
});

describe('point 4: key files', () => {
  it('a concatenated armored keyring: every key is read, not just the first', async () => {
    const both = readFileSync(join(TESTDATA, 'keys/other-public.asc'), 'utf8') + readFileSync(join(TESTDATA, 'keys/sample-public.asc'), 'utf8');
    const keys = await readPgpKeys(new TextEncoder().encode(both));
    expect(keys).toHaveLength(2);
    const r = await runCli(['verify', '--key', save('both.asc', both), join(TESTDATA, 'images/sample-signed.sif')]);
    expect(r.code).toBe(0);
  });
  it('an X.509 certificate given as --key: certificates are not OpenPGP keys', async () => {
    const cert = save('cert.pem', '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2hlY2sgb25seSB0aGUgaGVhZGVy\n-----END CERTIFICATE-----\n');
    const r = await runCli(['verify', '--key', cert, join(TESTDATA, 'images/sample-signed.sif')]);
    expect(r.code).toBe(255);
    expect(r.stderr).toBe(`FATAL:   Failed to verify container: failed to load key material: ${cert}: an X.509 certificate is not an OpenPGP key (verify with a certificate through --certificate)\n`);
  });
});
