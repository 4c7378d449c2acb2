// singularity's verify output on the sylabs/sif v2.24.1 images: DSSE with PEM keys, legacy signatures.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { referenceFixtures } from '../helpers/paths.js';

const REF_SIF = join(referenceFixtures(), 'sylabs-sif');

describe('verify CLI on the reference fixtures', () => {
  const img = (n: string): string => join(REF_SIF, 'test/images', `${n}.sif`);
  const key = (n: string): string => join(REF_SIF, 'test/keys', n);
  it('DSSE with a PEM key: no entity lines; JSON names "unknown"', async () => {
    const r = await runCli(['verify', '--key', key('ed25519-public.pem'), img('one-group-signed-dsse')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `Verifying image: ${img('one-group-signed-dsse')}\nObjects verified:\nID  |GROUP   |LINK    |TYPE\n------------------------------------------------\n1   |1       |NONE    |FS\n2   |1       |NONE    |FS\nContainer verified: ${img('one-group-signed-dsse')}\n`,
    );
    const j = await runCli(['verify', '-j', '--key', key('rsa-public.pem'), img('one-group-signed-dsse')]);
    expect(JSON.parse(j.stdout).SignerKeys[0].Signer).toEqual({ Partition: 'FS', Name: 'unknown', Fingerprint: '', KeyLocal: false, KeyCheck: false, DataCheck: true });
  });
  it('legacy signatures: the primary partition by default, every object with -a', async () => {
    const a = await runCli(['verify', '--legacy-insecure', '--key', key('private.asc'), img('one-group-signed-legacy')]);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('2   |1       |NONE    |FS\n');
    const b = await runCli(['verify', '--legacy-insecure', '-a', '--key', key('private.asc'), img('one-group-signed-legacy-all')]);
    expect(b.code).toBe(0);
    expect(b.stdout.match(/Objects verified:/g)).toHaveLength(2);
    const c = await runCli(['verify', '--key', key('private.asc'), img('one-group-signed-legacy')]);
    expect(c.stderr).toBe('FATAL:   Failed to verify container: integrity: signature not found for object group 1 (the image has only legacy signatures: verify them with --legacy-insecure)\n');
  });
});
