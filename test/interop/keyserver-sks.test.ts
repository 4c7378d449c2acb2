/**
 * Against a real keyserver: Debian's SKS, started here on 127.0.0.1 from a database this test builds
 * (shared/specs/keystore-hkp.md §7), with GnuPG and the reference Go client
 * (golang-github-apptainer-container-key-client-dev, test/keyclient) on the other side:
 * - a key `sifkit key push` sends is served by SKS: gpg --recv-keys and the Go client get it;
 * - keys sent by gpg --send-keys and by the Go client are found by `sifkit key search` and added by
 *   `sifkit key pull`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKeyring } from '../../src/keys/keyring.js';
import { runCli } from '../helpers/cli.js';
import { goTool } from '../helpers/go-tools.js';
import { ROOT } from '../helpers/paths.js';
import { run } from './tools.js';

const work = mkdtempSync(join(tmpdir(), 'sifkit-sks-'));
const port = 20000 + (process.pid % 10000);
const url = `hkp://127.0.0.1:${port}`;
let sks: ChildProcess | undefined;

const keyclient = (): string => goTool('keyclient');

/** A GnuPG home with one new ed25519 key; returns its fingerprint. */
function gpgHome(name: string): { home: string; fpr: string; env: NodeJS.ProcessEnv } {
  const home = join(work, `gnupg-${name}`);
  mkdirSync(home, { mode: 0o700 });
  const env = { ...process.env, GNUPGHOME: home };
  execFileSync('gpg', ['--batch', '--quiet', '--passphrase', '', '--quick-gen-key', `${name} (sks interop) <${name}@sifkit.test>`, 'ed25519', 'sign', 'never'], { env, stdio: 'ignore' });
  const colons = execFileSync('gpg', ['--batch', '--with-colons', '--fingerprint', `${name}@sifkit.test`], { env }).toString();
  return { home, fpr: /^fpr:+([0-9A-F]+):/m.exec(colons)![1]!, env };
}

async function waitForServer(): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/pks/lookup?op=stats`);
      await r.text();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error('sks did not start');
}

beforeAll(async () => {
  const b = join(work, 'sks');
  for (const d of ['etc/sks', 'var/lib/sks/dump', 'var/log/sks', 'var/run/sks', 'var/spool/sks']) mkdirSync(join(b, d), { recursive: true });
  writeFileSync(join(b, 'etc/sks/sksconf'), `hkp_address: 127.0.0.1\nhkp_port: ${port}\nrecon_address: 127.0.0.1\nrecon_port: ${port - 1}\npagesize: 16\nptree_pagesize: 16\n`);
  writeFileSync(join(b, 'etc/sks/membership'), '');
  writeFileSync(join(b, 'etc/sks/mailsync'), '');
  const seed = gpgHome('seed');
  writeFileSync(join(b, 'var/lib/sks/dump/seed.pgp'), execFileSync('gpg', ['--batch', '--export', seed.fpr], { env: seed.env }));
  const opts = { cwd: b, stdio: 'ignore' as const };
  execFileSync('sks', ['build', join(b, 'var/lib/sks/dump/seed.pgp'), '-basedir', b, '-n', '10', '-cache', '100'], opts);
  execFileSync('sks', ['cleandb', '-basedir', b], opts);
  execFileSync('sks', ['pbuild', '-basedir', b, '-cache', '20', '-ptree_cache', '70'], opts);
  sks = spawn('sks', ['db', '-basedir', b], { cwd: b, stdio: 'ignore' });
  await waitForServer();
}, 120_000);

afterAll(() => {
  sks?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('sifkit and SKS', () => {
  it('sifkit key push: SKS serves the key to gpg --recv-keys and to the reference Go client', async () => {
    const a = gpgHome('pushed');
    const file = join(work, 'pushed.asc');
    writeFileSync(file, execFileSync('gpg', ['--batch', '--armor', '--export', a.fpr], { env: a.env }));
    const env = { SINGULARITY_SYPGPDIR: join(work, 'keys-push') };
    expect((await runCli(['key', 'import', file], { env })).code).toBe(0);
    const r = await runCli(['key', 'push', '--url', url, a.fpr], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`public key \`${a.fpr}' pushed to server successfully\n`);
    // GnuPG, from an empty home
    const fresh = join(work, 'gnupg-fresh');
    mkdirSync(fresh, { mode: 0o700 });
    const g = run('gpg', ['--batch', '--homedir', fresh, '--keyserver', url, '--recv-keys', a.fpr]);
    expect(g.code, g.stderr).toBe(0);
    expect(execFileSync('gpg', ['--batch', '--homedir', fresh, '--with-colons', '--list-keys']).toString()).toContain(a.fpr);
    // the reference Go client
    const k = run(keyclient(), ['get', url.replace('hkp://', 'http://'), a.fpr]);
    expect(k.code, k.stderr).toBe(0);
    const keys = await openpgp.readKeys({ armoredKeys: k.stdout });
    expect(keys.map((x) => x.getFingerprint().toUpperCase())).toEqual([a.fpr]);
  });

  it('keys sent by gpg and by the Go client are found by sifkit key search and added by key pull', async () => {
    const b = gpgHome('sentbygpg');
    const s = run('gpg', ['--batch', '--homedir', b.home, '--keyserver', url, '--send-keys', b.fpr]);
    expect(s.code, s.stderr).toBe(0);
    const c = gpgHome('sentbygo');
    const file = join(work, 'sentbygo.asc');
    writeFileSync(file, execFileSync('gpg', ['--batch', '--armor', '--export', c.fpr], { env: c.env }));
    const add = run(keyclient(), ['add', url.replace('hkp://', 'http://'), file]);
    expect(add.code, add.stderr).toBe(0);
    const env = { SINGULARITY_SYPGPDIR: join(work, 'keys-pull'), TZ: 'UTC' };
    for (const k of [b, c]) {
      const search = await runCli(['key', 'search', '--url', url, k.fpr], { env });
      expect(search.code, search.stderr).toBe(0);
      expect(search.stdout).toMatch(/^Showing 1 results\n\nKEY ID +BITS +NAME\/EMAIL\n/);
      expect(search.stdout).toContain(`${k.fpr.slice(-8)}  256   `);
      const long = await runCli(['key', 'search', '-l', '--url', url, k.fpr], { env });
      expect(long.stdout).toContain(k.fpr);
      // what the reference client reads from the same server lists the same key
      expect(run(keyclient(), ['index', url.replace('hkp://', 'http://'), `0x${k.fpr}`]).stdout).toContain(`pub:${k.fpr}:22:256:`);
      const pull = await runCli(['key', 'pull', '--url', url, k.fpr], { env });
      expect(pull.code, pull.stderr).toBe(0);
      expect(pull.stdout).toMatch(/^1 key\(s\) added to keyring of trust /);
    }
    const ring = (await readKeyring(join(work, 'keys-pull', 'pgp-public'))).map((k) => k.getFingerprint().toUpperCase());
    expect(ring.sort()).toEqual([b.fpr, c.fpr].sort());
  });

  it('verify fetches an unknown signer from SKS and prints [REMOTE]; --local makes no request', async () => {
    const env = { SINGULARITY_SYPGPDIR: join(work, 'keys-verify'), SIFKIT_GLOBAL_KEYRING: join(work, 'no-global') };
    const push = run(keyclient(), ['add', url.replace('hkp://', 'http://'), join(ROOT, 'testdata/keys/sample-public.asc')]);
    expect(push.code, push.stderr).toBe(0);
    const image = join(ROOT, 'testdata/images/sample-signed.sif');
    const r = await runCli(['verify', '--url', url, image], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('[REMOTE]           Fingerprint: D64D8539875E71CCA922273B4F465383EE021A63\n');
    const local = await runCli(['verify', '--local', '--url', url, image], { env });
    expect(local.code).toBe(255);
    expect(local.stdout).not.toContain('[REMOTE]');
  });

  it('an unknown key is a clean failure', async () => {
    const r = await runCli(['key', 'pull', '--url', url, 'AB'.repeat(20)], { env: { SINGULARITY_SYPGPDIR: join(work, 'keys-none') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pull failed: no matching keys found for fingerprint/);
  });
});
