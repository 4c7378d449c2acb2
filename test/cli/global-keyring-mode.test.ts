// Issue point 13: the global keyring is written 0644 (singularity's mode) so every user can verify with
// it, whatever the umask; personal keyrings stay 0600.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-global-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('key import --global writes 0644 under a strict umask; the local keyring is 0600', async () => {
  const global = join(dir, 'etc/global-pgp-public');
  const env = { SINGULARITY_SYPGPDIR: join(dir, 'sypgp') };
  const old = process.umask(0o077);
  try {
    const g = await runCli(['key', 'import', '--global', '--global-keyring', global, join(TESTDATA, 'keys/sample-public.asc')], { env });
    expect(g.code, g.stderr).toBe(0);
    const l = await runCli(['key', 'import', join(TESTDATA, 'keys/sample-public.asc')], { env });
    expect(l.code, l.stderr).toBe(0);
  } finally {
    process.umask(old);
  }
  expect(statSync(global).mode & 0o777).toBe(0o644);
  expect(statSync(join(dir, 'etc')).mode & 0o777).toBe(0o755);
  expect(statSync(join(dir, 'sypgp/pgp-public')).mode & 0o777).toBe(0o600);
  const r = await runCli(['key', 'remove', '--global', '--global-keyring', global, (await runCli(['key', 'list', '--global', '--global-keyring', global])).stdout.match(/F: ([0-9A-F]{40})/)![1]!]);
  expect(r.code, r.stderr).toBe(0);
  expect(statSync(global).mode & 0o777).toBe(0o644);
});
