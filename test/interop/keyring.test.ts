// Keyrings across tools: keyrings sifkit writes are read by GnuPG and by the reference (sif-ref
// --key pgp-public); keyrings made from GnuPG exports (public and secret, concatenated, armored or
// binary) are read by sifkit and sign images the reference verifies.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';
import { gpgKey, oracle } from './tools.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-keyring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keyrings with GnuPG and the reference', () => {
  it('sifkit newpair → GnuPG imports pgp-public and pgp-secret; the reference verifies with pgp-public', async () => {
    const env = { SINGULARITY_SYPGPDIR: join(dir, 'sypgp') };
    expect((await runCli(['key', 'newpair', '-N', 'Interop User', '-E', 'interop@sifkit.test', '-C', 'gpg', '-P', 'pw', '-b', '3072'], { env })).code).toBe(0);
    const home = join(dir, 'gnupg');
    mkdirSync(home, { mode: 0o700 });
    const imp = execFileSync('gpg', ['--homedir', home, '--batch', '--import', join(dir, 'sypgp/pgp-public')], { stdio: ['ignore', 'pipe', 'pipe'] });
    void imp;
    const listed = execFileSync('gpg', ['--homedir', home, '--batch', '--with-colons', '--list-keys']).toString();
    expect(listed).toContain('Interop User (gpg) <interop@sifkit.test>');
    execFileSync('gpg', ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', 'pw', '--import', join(dir, 'sypgp/pgp-secret')], { stdio: 'ignore' });
    const secrets = execFileSync('gpg', ['--homedir', home, '--batch', '--with-colons', '--list-secret-keys']).toString();
    expect(secrets).toMatch(/^sec:/m);
    const img = join(dir, 'a.sif');
    copyFileSync(join(TESTDATA, 'images/multi.sif'), img);
    expect((await runCli(['sign', '-k', '0', img], { env: { ...env, SIFKIT_PASSPHRASE: 'pw' } })).code).toBe(0);
    const v = oracle<{ ok: boolean }>(['verify', '--key', join(dir, 'sypgp/pgp-public'), img]);
    expect(v.ok).toBe(true);
  });

  it('a keyring concatenated from GnuPG exports (binary and armored) works for list, sign and verify', async () => {
    const k = gpgKey(dir, 'gnupg-made', 'rsa2048', 'gpw');
    const home = mkdtempSync(join(tmpdir(), 'sifkit-gpg2-'));
    execFileSync('gpg', ['--homedir', home, '--batch', '--import', k.public], { stdio: 'ignore' });
    execFileSync('gpg', ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', 'gpw', '--import', k.secret], { stdio: 'ignore' });
    const pubBin = execFileSync('gpg', ['--homedir', home, '--batch', '--export', k.fingerprint]);
    const secBin = execFileSync('gpg', ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', 'gpw', '--export-secret-keys', k.fingerprint]);
    const sypgp = join(dir, 'from-gpg');
    mkdirSync(sypgp, { mode: 0o700 });
    writeFileSync(join(sypgp, 'pgp-public'), Buffer.concat([pubBin, readFileSync(join(TESTDATA, 'keys/both-public.gpg'))]));
    writeFileSync(join(sypgp, 'pgp-secret'), secBin);
    const env = { SINGULARITY_SYPGPDIR: sypgp };
    const list = await runCli(['key', 'list'], { env });
    expect(list.stdout).toContain(`F: ${k.fingerprint}`);
    expect(list.stdout.match(/^\d\) U:/gm)).toHaveLength(3);
    const img = join(dir, 'b.sif');
    copyFileSync(join(TESTDATA, 'images/sample.sif'), img);
    expect((await runCli(['sign', '-k', '0', img], { env: { ...env, SIFKIT_PASSPHRASE: 'gpw' } })).code).toBe(0);
    expect(oracle<{ ok: boolean }>(['verify', '--key', k.public, img]).ok).toBe(true);
    const v = await runCli(['verify', img], { env });
    expect(v.code).toBe(0);
    expect(v.stdout).toContain(`[LOCAL]            Fingerprint: ${k.fingerprint}`);
    // armored exports import too
    const env2 = { SINGULARITY_SYPGPDIR: join(dir, 'armored') };
    const imp = await runCli(['key', 'import', k.secret], { env: env2, stdin: 'gpw\n' });
    expect(imp.code).toBe(0);
    expect(imp.stdout).toContain(`Key with fingerprint ${k.fingerprint} successfully added to the private keyring`);
  });
});
