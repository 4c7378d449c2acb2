// The library commands end to end (in-process CLI, a private config dir) against the test library:
// remote add/list/login/status/logout editing remote.yaml (unknown keys kept, mode 0600), push
// (refused unsigned, then with a token and a verified image), pull (file equal, verified with the
// keyring), search output, delete with and without the prompt.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLibraryServer, type TestLibrary } from '../library-server/server.mjs';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

let s: TestLibrary;
const dir = mkdtempSync(join(tmpdir(), 'sifkit-libcli-'));
const env = { SINGULARITY_CONFIGDIR: join(dir, 'config'), SINGULARITY_SYPGPDIR: join(dir, 'sypgp'), SIFKIT_SYSTEM_REMOTE_CONFIG: join(dir, 'none.yaml') };
const cli = (args: string[], opts: { stdin?: string } = {}) => runCli(args, { env, ...opts });
const sample = join(TESTDATA, 'images/sample-signed.sif');
const yamlFile = join(dir, 'config/remote.yaml');

beforeAll(async () => {
  s = await startLibraryServer();
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sifkit remote and the library commands', () => {
  it('remote add makes the endpoint active; list shows it; unknown keys of the file are kept', async () => {
    const host = s.url.replace('http://', '');
    const add = await cli(['remote', 'add', '--insecure', 'test', host]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toBe(`INFO:    Remote "test" added.\nINFO:    Remote "test" now in use.\n`);
    // a key singularity knows and sifkit does not, and a comment: both survive the next edit
    writeFileSync(yamlFile, `# my endpoints\n${readFileSync(yamlFile, 'utf8')}`.replace('Remotes:', 'Remotes:\n  Other:\n    URI: other.example.org\n    Exclusive: false\n'));
    expect((await cli(['remote', 'use', 'test'])).code).toBe(0);
    const text = readFileSync(yamlFile, 'utf8');
    expect(text).toContain('# my endpoints');
    expect(text).toContain('URI: other.example.org');
    const list = (await cli(['remote', 'list'])).stdout.split('\n');
    expect(list[0]).toBe('');
    expect(list.slice(1, 4).map((l) => l.trim().split(/ {2,}/))).toEqual([
      ['NAME', 'URI', 'DEFAULT?', 'GLOBAL?', 'EXCLUSIVE?', 'SECURE?'],
      ['Other', 'other.example.org', '✓'],
      ['test', host, '✓', '✗!'],
    ]);
    // columns line up (tabwriter)
    expect(list[2]!.indexOf('other.example.org')).toBe(list[1]!.indexOf('URI'));
  });

  it('login checks the token with token-status and stores it 0600; a wrong token is refused', async () => {
    writeFileSync(join(dir, 'bad'), `${'b'.repeat(220)}\n`);
    const bad = await cli(['remote', 'login', '--tokenfile', join(dir, 'bad')]);
    expect(bad.code).toBe(255);
    expect(bad.stderr).toBe('FATAL:   error response from server: Invalid Credentials\n');
    writeFileSync(join(dir, 'short'), 'abc\n');
    expect((await cli(['remote', 'login', '--tokenfile', join(dir, 'short')])).stderr).toBe('FATAL:   token is too short to be valid\n');
    writeFileSync(join(dir, 'token'), `${s.token}\n`);
    const ok = await cli(['remote', 'login', '--tokenfile', join(dir, 'token')]);
    expect(ok.stderr).toBe(`INFO:    Access Token Verified!\nINFO:    Token stored in ${yamlFile}\n`);
    expect(statSync(yamlFile).mode & 0o777).toBe(0o600);
    const status = await cli(['remote', 'status']);
    expect(status.stdout).toMatch(/^SERVICE +STATUS +VERSION +URI\n/);
    expect(status.stdout).toMatch(/\nLibrary +OK +v0\.0\.0-sifkit-test-double +http:\/\/127\.0\.0\.1:\d+\n/);
    expect(status.stdout.endsWith('\nValid authentication token set (logged in).\n')).toBe(true);
  });

  it('push refuses an image that does not verify, then pushes it once the key is known', async () => {
    const refused = await cli(['push', sample, 'library://alice/col/sample:latest,1.0']);
    expect(refused.code).toBe(255);
    expect(refused.stderr).toContain('FATAL:   Unable to upload container: unable to verify signature\n');
    expect((await cli(['key', 'import', join(TESTDATA, 'keys/sample-public.asc')])).code).toBe(0);
    const pushed = await cli(['push', '-D', 'the sample', sample, 'library://alice/col/sample:latest,1.0']);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toBe(`\nLibrary storage: using 38 kB out of unlimited quota\nContainer URL: ${s.url}/library/alice/col/sample\n`);
    expect(s.state.violations).toEqual([]);
  });

  it('pull writes the file, verified with the keyring; an existing file needs --force', async () => {
    const out = join(dir, 'pulled.sif');
    const r = await cli(['pull', '--arch', 'amd64', out, 'library://alice/col/sample:1.0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`INFO:    Downloading library image\nINFO:    Download complete: ${out}\n`);
    expect(Buffer.compare(readFileSync(out), readFileSync(sample))).toBe(0);
    const again = await cli(['pull', '--arch', 'amd64', out, 'library://alice/col/sample:1.0']);
    expect(again.code).toBe(255);
    expect(again.stderr).toContain(`image file already exists: ${out} - will not overwrite`);
    const missing = await cli(['pull', '--arch', 'amd64', join(dir, 'x.sif'), 'library://alice/col/nothing:1.0']);
    expect(missing.stderr).toContain('FATAL:   While pulling library image: image does not exist in the library: alice/col/nothing:1.0 (amd64)\n');
  });

  it('search prints singularity’s listing', async () => {
    const r = await cli(['search', '--arch', 'amd64', 'sample']);
    expect(r.stdout).toBe('Found 1 container images for amd64 matching "sample":\n\n\tlibrary://alice/col/sample:1.0,latest\n\t\tthe sample\n\n');
    expect((await cli(['search', '--arch', 'arm64', 'sample'])).stdout).toBe('No container images found for arm64 matching "sample".\n\n');
    expect((await cli(['search', 'sa'])).stderr).toContain("bad query 'sa'. You must search for at least 3 characters");
  });

  it('delete asks first (no: nothing happens), --force does not', async () => {
    const no = await cli(['delete', '--arch', 'amd64', 'library://alice/col/sample:1.0'], { stdin: 'n\n' });
    expect(no.code).toBe(0);
    expect([...s.state.images.values()].length).toBe(1);
    const yes = await cli(['delete', '--force', '--arch', 'amd64', 'library://alice/col/sample:1.0']);
    expect(yes.stderr).toBe('INFO:    Image alice/col/sample:1.0 (amd64) deleted.\n');
    expect([...s.state.images.values()].length).toBe(0);
  });

  it('logout removes the token; push then needs one', async () => {
    expect((await cli(['remote', 'logout'])).stderr).toBe('INFO:    Logout succeeded\n');
    expect(readFileSync(yamlFile, 'utf8')).not.toContain('Token');
    const r = await cli(['push', '-U', sample, 'library://alice/col/sample:latest']);
    expect(r.stderr).toBe('FATAL:   Cannot push image to library: no authentication token, log in with `sifkit remote login`\n');
  });
});
