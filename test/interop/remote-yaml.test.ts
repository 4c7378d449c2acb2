/**
 * The remote.yaml files `sifkit remote` writes are read by singularity's schema with its strict
 * decoder (test/remoteyaml: the reference's struct tags, yaml.v3 KnownFields), and a file in the
 * form singularity writes (system endpoint, keyservers, credentials) keeps every value through
 * sifkit's edits.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLibraryServer, type TestLibrary } from '../library-server/server.mjs';
import { runCli } from '../helpers/cli.js';
import { goTool } from '../helpers/go-tools.js';

const run = promisify(execFile);
const checker = (): string => goTool('remoteyaml');
type GoConfig = { DefaultRemote: string; Remotes: Record<string, { URI: string; Token: string; System: boolean; Exclusive: boolean; Insecure: boolean; Keyservers: { URI: string }[] | null }>; Credentials: { URI: string; Auth: string }[] | null };
const goRead = async (file: string): Promise<GoConfig> => JSON.parse((await run(checker(), [file], { encoding: 'utf8' })).stdout) as GoConfig;

let s: TestLibrary;
const dir = mkdtempSync(join(tmpdir(), 'sifkit-ryaml-'));
const env = { SINGULARITY_CONFIGDIR: dir, SIFKIT_SYSTEM_REMOTE_CONFIG: join(dir, 'none.yaml') };
const file = join(dir, 'remote.yaml');
beforeAll(async () => {
  s = await startLibraryServer();
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('remote.yaml against singularity’s schema', () => {
  it('every file sifkit remote writes decodes strictly, with the values given', async () => {
    const host = s.url.replace('http://', '');
    writeFileSync(join(dir, 'token'), s.token);
    const steps: string[][] = [
      ['remote', 'add', '--insecure', 'test', host],
      ['remote', 'add', '--no-default', 'other', 'https://other.example.org/base'],
      ['remote', 'login', '--tokenfile', join(dir, 'token')],
      ['remote', 'use', 'other'],
      ['remote', 'remove', 'other'],
    ];
    for (const args of steps) {
      const r = await runCli(args, { env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      await goRead(file); // throws on an unknown key or a wrong type
    }
    const c = await goRead(file);
    expect(c.DefaultRemote).toBe('');
    expect(Object.keys(c.Remotes)).toEqual(['test']);
    expect(c.Remotes.test).toMatchObject({ URI: host, Token: s.token, Insecure: true, System: false, Exclusive: false });
  });

  it('a file as singularity writes it keeps every value through sifkit’s edits', async () => {
    writeFileSync(
      file,
      [
        'Active: SylabsCloud',
        'Remotes:',
        '  SylabsCloud:',
        '    URI: cloud.sylabs.io',
        '    System: true',
        '    Exclusive: false',
        '  site:',
        '    URI: hpc.example.org',
        '    Token: abc',
        '    System: false',
        '    Exclusive: false',
        '    Keyservers:',
        '    - URI: https://keys.example.org',
        '      Skip: false',
        '      External: true',
        '      Insecure: false',
        'Credentials:',
        '- URI: https://keys.example.org',
        '  Auth: Basic dXNlcjpwYXNz',
        '  Insecure: false',
        '',
      ].join('\n'),
    );
    const before = await goRead(file);
    expect((await runCli(['remote', 'use', 'site'], { env })).code).toBe(0);
    expect((await runCli(['remote', 'logout', 'site'], { env })).code).toBe(0);
    const after = await goRead(file);
    expect(after.DefaultRemote).toBe('site');
    expect(after.Remotes.site!.Token).toBe('');
    expect({ ...after, DefaultRemote: before.DefaultRemote, Remotes: { ...after.Remotes, site: { ...after.Remotes.site!, Token: 'abc' } } }).toEqual(before);
    expect(readFileSync(file, 'utf8')).toContain('Auth: Basic dXNlcjpwYXNz');
  });
});
