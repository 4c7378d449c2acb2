/**
 * `verify --certificate`, as SingularityCE 4 checks certificates (Go's Certificate.Verify with the
 * code-signing usage): an image DSSE-signed with the certificate's key verifies when the certificate
 * chains through the intermediates to the given root; an expired certificate, one without the
 * code-signing usage, and one under another root fail with Go's reasons. Certificates:
 * testdata/x509 (made by its make.sh with openssl).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCertificates, verifyCertificate } from '../../src/keys/x509.js';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

const X = (f: string): string => join(TESTDATA, 'x509', f);
const cert = (f: string) => readCertificates(readFileSync(X(f), 'utf8'), f)[0]!;
const work = mkdtempSync(join(tmpdir(), 'sifkit-x509-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const signed: Record<string, string> = {};

beforeAll(async () => {
  for (const who of ['signer', 'expired', 'server', 'stranger']) {
    const img = join(work, `${who}.sif`);
    copyFileSync(join(TESTDATA, 'images/sample.sif'), img);
    const r = await runCli(['sign', '--key', X(`${who}-key.pem`), img]);
    expect(r.code, r.stderr).toBe(0);
    signed[who] = img;
  }
});

const verify = (who: string, certFile: string, roots = 'root.pem', extra: string[] = ['--certificate-intermediates', X('intermediate.pem')]) =>
  runCli(['verify', '--certificate', X(certFile), '--certificate-roots', X(roots), ...extra, signed[who]!]);

describe('verify --certificate', () => {
  it('verifies an image signed with the key of a certificate that chains to the root', async () => {
    const r = await verify('signer', 'signer.pem');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Container verified: /);
  });

  it('fails with the reference reasons', async () => {
    const expired = await verify('expired', 'expired.pem');
    expect(expired.code).toBe(255);
    expect(expired.stderr).toMatch(/Failed to verify container: x509: certificate has expired or is not yet valid: current time \S+Z is after 2021-01-01T00:00:00Z/);
    const server = await verify('server', 'server.pem');
    expect(server.stderr).toMatch(/x509: certificate specifies an incompatible key usage/);
    const stranger = await verify('stranger', 'stranger.pem');
    expect(stranger.stderr).toMatch(/x509: certificate signed by unknown authority/);
    const noInter = await verify('signer', 'signer.pem', 'root.pem', []);
    expect(noInter.stderr).toMatch(/x509: certificate signed by unknown authority/);
    const otherRoot = await verify('signer', 'signer.pem', 'other-root.pem');
    expect(otherRoot.stderr).toMatch(/x509: certificate signed by unknown authority/);
  });

  it("a valid certificate does not vouch for another key's signature", async () => {
    const r = await runCli(['verify', '--certificate', X('signer.pem'), '--certificate-roots', X('root.pem'), '--certificate-intermediates', X('intermediate.pem'), signed.stranger!]);
    expect(r.code).toBe(255);
    expect(r.stdout).not.toMatch(/Container verified/);
  });

  it('checks validity at the given time; the library returns the chain', () => {
    const opts = { intermediates: [cert('intermediate.pem')], roots: [cert('root.pem')] };
    expect(verifyCertificate(cert('signer.pem'), opts).map((c) => c.subject)).toEqual(['CN=sifkit signer', 'CN=sifkit test intermediate CA', 'CN=sifkit test root CA']);
    expect(() => verifyCertificate(cert('signer.pem'), { ...opts, now: new Date('2000-01-01T00:00:00Z') })).toThrow(
      /x509: certificate has expired or is not yet valid: current time 2000-01-01T00:00:00Z is before /,
    );
  });

  it('sign --certificate checks the key belongs to the certificate; the result verifies with it', async () => {
    const img = join(work, 'cert-sign.sif');
    copyFileSync(join(TESTDATA, 'images/sample.sif'), img);
    const bad = await runCli(['sign', '--certificate', X('signer.pem'), '--key', X('stranger-key.pem'), img]);
    expect(bad.code).toBe(255);
    expect(bad.stderr).toMatch(/is not the key of the certificate/);
    const pgp = await runCli(['sign', '--certificate', X('signer.pem'), '--key', join(TESTDATA, 'keys/sample-secret.asc'), img]);
    expect(pgp.stderr).toMatch(/--certificate needs a PEM private key/);
    const ok = await runCli(['sign', '--certificate', X('signer.pem'), '--key', X('signer-key.pem'), img]);
    expect(ok.code, ok.stderr).toBe(0);
    const v = await runCli(['verify', '--certificate', X('signer.pem'), '--certificate-roots', X('root.pem'), '--certificate-intermediates', X('intermediate.pem'), img]);
    expect(v.code, v.stderr).toBe(0);
  });

  it('--certificate and --key together are a usage error', async () => {
    const r = await runCli(['verify', '--certificate', X('signer.pem'), '--key', X('signer.pem'), signed.signer!]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--certificate and --key are mutually exclusive/);
  });
});
