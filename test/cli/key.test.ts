// The offline keyring flow of singularity users, end to end: key newpair → list → sign -k 0 →
// verify ([LOCAL]) → export → import into a second keyring → remove; plus prompts read from stdin,
// corrupt keyrings, wrong passphrases, concurrent writers and failed writes.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKeyring, updateKeyring } from '../../src/keys/keyring.js';
import { readPgpKeys } from '../../src/keys/pgp.js';
import { goLocalTime } from '../../src/cli/localtime.js';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ring1 = join(dir, 'ring1');
const ring2 = join(dir, 'ring2');
const env1 = { SINGULARITY_SYPGPDIR: ring1, TZ: 'UTC' };
const env2 = { SINGULARITY_SYPGPDIR: ring2, TZ: 'UTC' };

describe('key newpair → list → sign -k → verify → export → import → remove', () => {
  let janeFp = '';
  beforeAll(async () => {
    const a = await runCli(['key', 'newpair', '-N', 'Jane Doe', '-E', 'jane@example.org', '-C', 'build keys', '-P', 'jane-pass', '-b', '2048'], { env: env1 });
    expect(a).toMatchObject({ code: 0, stdout: 'Generating Entity and OpenPGP Key Pair... done\nNOT pushing newly created key to keystore\n' });
    // All answers from stdin, as a pipeline would give them.
    const b = await runCli(['key', 'newpair', '-b', '2048'], { env: env1, stdin: 'John Roe\njohn@example.org\n\njohn-pass\njohn-pass\n' });
    expect(b.code).toBe(0);
  }, 120_000);

  it('files are binary keyrings, mode 0600 in a 0700 directory', () => {
    expect(statSync(ring1).mode & 0o777).toBe(0o700);
    for (const f of ['pgp-public', 'pgp-secret']) {
      expect(statSync(join(ring1, f)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(ring1, f))[0]! & 0x80).toBe(0x80); // an OpenPGP packet, not armor
    }
  });

  it('list: the U/C/F/L form', async () => {
    const keys = await readKeyring(join(ring1, 'pgp-public'));
    janeFp = keys[0]!.getFingerprint().toUpperCase();
    const r = await runCli(['key', 'list'], { env: env1 });
    const c = (i: number): string => goLocalTime(Math.floor(keys[i]!.getCreationTime().getTime() / 1000), { TZ: 'UTC' });
    expect(r.stdout).toBe(
      `Public key listing (${join(ring1, 'pgp-public')}):\n\n` +
        `0) U: Jane Doe (build keys) <jane@example.org>\n   C: ${c(0)}\n   F: ${janeFp}\n   L: 2048\n   --------\n` +
        `1) U: John Roe () <john@example.org>\n   C: ${c(1)}\n   F: ${keys[1]!.getFingerprint().toUpperCase()}\n   L: 2048\n   --------\n`,
    );
    expect(c(0)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
  });

  it('list --secret --style ce4: the table form', async () => {
    const r = await runCli(['key', 'list', '--secret', '--style', 'ce4'], { env: env1 });
    expect(r.stdout.split('\n').slice(0, 7)).toEqual([
      `Private key listing (${join(ring1, 'pgp-secret')}):`,
      '',
      '0)  User:              Jane Doe (build keys) <jane@example.org>',
      expect.stringMatching(/^ {4}Creation time: {5}\d{4}-/),
      `    Fingerprint:       ${janeFp}`,
      '    Length (in bits):  2048',
      '',
    ]);
  });

  it('sign -k 0 with the passphrase from the environment, then from a pipe; verify shows [LOCAL]', async () => {
    const img = join(dir, 'signed.sif');
    copyFileSync(join(TESTDATA, 'images/sample.sif'), img);
    expect((await runCli(['sign', '-k', '0', img], { env: { ...env1, SIFKIT_PASSPHRASE: 'jane-pass' } })).code).toBe(0);
    const v = await runCli(['verify', img], { env: env1 });
    expect(v.code).toBe(0);
    expect(v.stdout).toContain(`[LOCAL]            Signing entity: Jane Doe (build keys) <jane@example.org>\n[LOCAL]            Fingerprint: ${janeFp}\n`);
    const img2 = join(dir, 'signed2.sif');
    copyFileSync(join(TESTDATA, 'images/sample.sif'), img2);
    expect((await runCli(['sign', '-k', '1', img2], { env: env1, stdin: 'john-pass\n' })).code).toBe(0);
    expect((await runCli(['verify', img2], { env: env1 })).code).toBe(0);
  });

  it('sign --passphrase-file', async () => {
    const img = join(dir, 'passfile.sif');
    copyFileSync(join(TESTDATA, 'images/sample.sif'), img);
    const pf = join(dir, 'pass.txt');
    writeFileSync(pf, 'jane-pass\n');
    expect((await runCli(['sign', '-k', '0', '--passphrase-file', pf, img], { env: env1 })).code).toBe(0);
    expect((await runCli(['verify', img], { env: env1 })).code).toBe(0);
  });

  it('sign without -k asks which key (U/C/F/L chooser)', async () => {
    const img = join(dir, 'chooser.sif');
    copyFileSync(join(TESTDATA, 'images/sample.sif'), img);
    const r = await runCli(['sign', img], { env: env1, stdin: '1\njohn-pass\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1) U: John Roe () <john@example.org>');
  });

  it('a wrong passphrase fails cleanly and leaves the image untouched', async () => {
    const img = join(dir, 'wrong.sif');
    copyFileSync(join(TESTDATA, 'images/sample.sif'), img);
    const before = readFileSync(img);
    const r = await runCli(['sign', '-k', '0', img], { env: { ...env1, SIFKIT_PASSPHRASE: 'nope' } });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^FATAL: {3}Failed to sign container: .*\n$/);
    expect(readFileSync(img)).toEqual(before);
  });

  it('index out of range, empty keyring', async () => {
    const img = join(dir, 'idx.sif');
    copyFileSync(join(TESTDATA, 'images/sample.sif'), img);
    expect((await runCli(['sign', '-k', '7', img], { env: env1 })).stderr).toBe('FATAL:   Failed to sign container: index out of range\n');
    expect((await runCli(['sign', img], { env: { SINGULARITY_SYPGPDIR: join(dir, 'none') } })).stderr).toBe('FATAL:   Failed to sign container: keyring is empty\n');
  });

  it('export → import into a second keyring → remove', async () => {
    const pub = join(dir, 'jane.asc');
    const sec = join(dir, 'jane-secret.gpg');
    expect((await runCli(['key', 'export', '--index', '0', '--armor', pub], { env: env1 })).stdout).toBe(
      `Public key with fingerprint ${janeFp} correctly exported to file: ${pub}\n`,
    );
    expect(readFileSync(pub, 'utf8')).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
    expect((await runCli(['key', 'export', '--secret', '--fingerprint', janeFp, sec], { env: env1 })).code).toBe(0);
    const imp = await runCli(['key', 'import', sec], { env: env2, stdin: 'jane-pass\n' });
    expect(imp.stdout).toBe(
      `Key with fingerprint ${janeFp} successfully added to the private keyring\nKey with fingerprint ${janeFp} successfully added to the public keyring\n`,
    );
    const dup = await runCli(['key', 'import', pub], { env: env2 });
    expect(dup).toMatchObject({ code: 2, stderr: `ERROR:   key import command failed: the key with fingerprint ${janeFp} already belongs to the keyring\n` });
    expect((await runCli(['key', 'remove', janeFp], { env: env2 })).code).toBe(0);
    expect(await readKeyring(join(ring2, 'pgp-public'))).toHaveLength(0);
    const again = await runCli(['key', 'remove', `0x${janeFp}`], { env: env2 });
    expect(again).toMatchObject({ code: 255, stderr: 'FATAL:   Unable to remove public key: no key matching given fingerprint found\n' });
    expect(await readKeyring(join(ring2, 'pgp-secret'))).toHaveLength(1);
  });

  it('key import with a wrong password fails and changes nothing', async () => {
    const sec = join(dir, 'jane-secret2.gpg');
    await runCli(['key', 'export', '--secret', '--index', '0', sec], { env: env1 });
    const ring3 = join(dir, 'ring3');
    const r = await runCli(['key', 'import', sec], { env: { SINGULARITY_SYPGPDIR: ring3 }, stdin: 'wrong\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ERROR: {3}key import command failed: /);
    expect(await readKeyring(join(ring3, 'pgp-secret'))).toHaveLength(0);
  });
});

describe('keyring files', () => {
  it('a corrupt keyring (truncated, foreign packets) gives one line, no stack', async () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad, { mode: 0o700 });
    const good = readFileSync(join(TESTDATA, 'keys/both-public.gpg'));
    writeFileSync(join(bad, 'pgp-public'), good.subarray(0, good.length - 100));
    const r = await runCli(['key', 'list'], { env: { SINGULARITY_SYPGPDIR: bad } });
    expect(r.code).toBe(255);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(/^FATAL: {3}While listing keys: /);
    writeFileSync(join(bad, 'pgp-public'), Buffer.from([0xcb, 0x05, 0x62, 0, 0, 0, 0])); // a literal data packet
    const f = await runCli(['verify', join(TESTDATA, 'images/sample-signed.sif')], { env: { SINGULARITY_SYPGPDIR: bad } });
    expect(f.code).toBe(255);
    expect(f.stderr).toMatch(/^FATAL: {3}Failed to verify container: failed to load key material: /);
  });

  it('fixes a keys directory mode with singularity\'s warning', async () => {
    const d = join(dir, 'loose');
    mkdirSync(d, { mode: 0o755 });
    chmodSync(d, 0o755);
    const r = await runCli(['key', 'list'], { env: { SINGULARITY_SYPGPDIR: d } });
    expect(r.stderr).toBe(`WARNING: Directory mode (755) on ${d} needs to be 700, fixing that...\n`);
    expect(statSync(d).mode & 0o777).toBe(0o700);
  });

  it('concurrent writers lose no key (lock), a failing update leaves the file as it was', async () => {
    const path = join(dir, 'concurrent', 'pgp-public');
    const keys = await readPgpKeys(readFileSync(join(TESTDATA, 'keys/both-public.gpg')));
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        updateKeyring(path, false, (cur) => ({ keys: cur.some((k) => k.getFingerprint() === keys[i % 2]!.getFingerprint()) ? cur : [...cur, keys[i % 2]!], result: undefined })),
      ),
    );
    expect((await readKeyring(path)).map((k) => k.getFingerprint()).sort()).toEqual(keys.map((k) => k.getFingerprint()).sort());
    const before = readFileSync(path);
    await expect(updateKeyring(path, false, () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    expect(readFileSync(path)).toEqual(before);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
