// Issue points 5 and 12: JSON output is always a JSON document (also when the image or the keys cannot
// be read, with the error's code); every result says its format; signatures no supplied key can check
// are listed with the fingerprint their descriptor records; the unknown-signer message names it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-vjson-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const signed = join(TESTDATA, 'images/sample-signed.sif');
const other = join(TESTDATA, 'keys/other-public.asc');

describe('verify JSON documents', () => {
  it('--json and --json=full on a missing image: JSON with the error code, then FATAL', async () => {
    const missing = join(dir, 'missing.sif');
    const a = await runCli(['verify', '--json', missing]);
    expect(a.code).toBe(255);
    expect(JSON.parse(a.stdout)).toMatchObject({ Signatures: 0, SignerKeys: null, Error: { Code: 'IO_ERROR' } });
    const b = await runCli(['verify', '--json=full', missing]);
    expect(b.code).toBe(255);
    expect(JSON.parse(b.stdout)).toMatchObject({ verified: false, signatures: [], errors: [{ code: 'IO_ERROR' }] });
    expect(b.stderr).toMatch(/^FATAL: .*no such file or directory\n$/);
  });

  it('unreadable key material: JSON too', async () => {
    const bad = join(dir, 'bad.asc');
    writeFileSync(bad, 'not a key');
    const r = await runCli(['verify', '--json=full', '--key', bad, signed]);
    expect(JSON.parse(r.stdout).errors[0].code).toBe('KEY_INVALID');
  });

  it('a signature no supplied key can check is listed, with format and the descriptor fingerprint', async () => {
    const r = await runCli(['verify', '--json=full', '--key', other, signed]);
    expect(r.code).toBe(255);
    const sig = JSON.parse(r.stdout).signatures[0];
    expect(sig).toMatchObject({ id: 4, format: 'pgp', signer: null, error: { code: 'UNKNOWN_SIGNER' } });
    expect(sig.descriptorFingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(r.stderr).toContain(`the signature names key ${sig.descriptorFingerprint}`);
  });

  it('every result carries its format', async () => {
    const r = await runCli(['verify', '--json=full', '--key', join(TESTDATA, 'keys/sample-public.asc'), join(TESTDATA, 'images/multi-signed.sif')]);
    const sigs = JSON.parse(r.stdout).signatures as { format: string }[];
    expect(sigs.length).toBeGreaterThan(1);
    for (const s of sigs) expect(s.format).toBe('pgp');
  });

  it('--json with --json=full is a usage error', async () => {
    const r = await runCli(['verify', '--json', '--json=full', signed]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: --json and --json=full\/--report are mutually exclusive/);
  });
});
