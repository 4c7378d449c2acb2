// Issue point 11: every error is one line in sifkit's words (no raw errno names, OpenSSL or
// openpgp.js internals, no hidden temporary file names), conflicting flags are usage errors, and help
// texts are aligned and complete.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const aDir = join(dir, 'a-directory');
mkdirSync(aDir);
const badPem = join(dir, 'bad.pem');
writeFileSync(badPem, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
const img = join(TESTDATA, 'images/sample-signed.sif');

const RAW = /\b(EISDIR|EPERM|EEXIST|ENOENT|EACCES|DECODER routines|Invalid typed array|rsaBits|sifkit-[0-9a-f]{12})\b|\n\s+at /;

describe('one line, in sifkit\'s words', () => {
  const cases: [string, string[], RegExp][] = [
    ['new over a directory', ['new', aDir], /^Error: create .*a-directory: is a directory\n$/],
    ['new in a missing directory', ['new', join(dir, 'missing/x.sif')], /^Error: create .*missing\/x\.sif: no such file or directory\n$/],
    ['list a directory', ['list', aDir], /^Error: .*a-directory: is a directory\n$/],
    ['verify --key a directory', ['verify', '--key', aDir, img], /^FATAL: +Failed to verify container: failed to load key material: read .*a-directory: is a directory\n$/],
    ['sign with a damaged PEM key', ['sign', '--key', badPem, join(dir, 'x.sif')], /not a PEM private key sifkit can read/],
    ['key import of a missing file keeps the path', ['key', 'import', '--keysdir', join(dir, 'k'), join(dir, 'missing.asc')], /^ERROR: +key import command failed: unable to get entity from: .*missing\.asc: open .*missing\.asc: no such file or directory\n$/],
    ['key newpair with 1024 bits', ['key', 'newpair', '--keysdir', join(dir, 'k'), '-b', '1024', '-N', 'a', '-E', 'a@b.c', '-C', '', '-P', ''], /^Error: --bit-length: 1024 is not a supported RSA key size/],
    ['new --capacity past the limit', ['new', '--capacity', '1048577', join(dir, 'cap.sif')], /^Error: capacity: 1048577 descriptors not supported/],
  ];
  for (const [name, args, want] of cases) {
    it(name, async () => {
      const r = await runCli(args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(want);
      expect(r.stderr).not.toMatch(RAW);
      expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('Run ') && !l.startsWith('Signing image'))).toHaveLength(1);
    });
  }
});

describe('conflicting flags are usage errors', () => {
  it.each([
    [['sign', '--key', join(TESTDATA, 'keys/sample-secret.asc'), '-k', '0', img], /--key and --keyidx \(-k\) are mutually exclusive/],
    [['key', 'export', '--index', '0', '--fingerprint', 'ABCD', join(dir, 'out.asc')], /--index and --fingerprint are mutually exclusive/],
    [['verify', '--json', '--report', '-', img], /--json and --json=full\/--report are mutually exclusive/],
  ])('%j', async (args, want) => {
    const r = await runCli(args as string[]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(want as RegExp);
  });
});

describe('help', () => {
  const commands = [['add'], ['del'], ['dump'], ['header'], ['info'], ['list'], ['new'], ['setprim'], ['sign'], ['verify'], ['recover'], ['key'], ['key', 'newpair'], ['key', 'list'], ['key', 'import'], ['key', 'export'], ['key', 'remove'], ['key', 'search'], ['key', 'pull'], ['key', 'push'], ['ls'], ['cat'], ['extract'], ['export'], ['inspect']];
  it.each(commands)('%s: flag descriptions start in one column', async (...cmd) => {
    const r = await runCli([...cmd, '--help']);
    expect(r.code).toBe(0);
    const flags = r.stdout.split('Flags:\n')[1]?.split('\n\n')[0] ?? '';
    const cols = new Set(
      flags
        .split('\n')
        .filter((l) => /^ {2}(-\w, |    )--\S+/.test(l))
        .map((l) => /^ {2}(?:-\w, | {4})--\S+(?: \S+)? {2,}/.exec(l)?.[0].length ?? -1),
    );
    expect([...cols]).toHaveLength(1);
    expect(cols.has(-1)).toBe(false);
  });
  it('verify --help documents --json=full', async () => {
    expect((await runCli(['verify', '--help'])).stdout).toContain('--json=full');
  });
  it("key's flags work after the subcommand", async () => {
    const r = await runCli(['key', 'list', '--keysdir', join(dir, 'empty-keys')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(join(dir, 'empty-keys'));
  });
});
