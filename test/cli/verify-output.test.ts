// singularity's verify output: the literal examples of shared/specs/cli-output.md reproduced by the
// formatters byte for byte, and the CLI end to end on real signed images in each style.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatResultText, labelColumn, singularityJson, verifyTranscript } from '../../src/cli/verify-format.js';
import { verifyImage, type VerifyResult } from '../../src/integrity/verify.js';

import { BytesStore } from '../../src/io/source.js';
import { readPgpKeys } from '../../src/keys/pgp.js';
import { readPemPublicKey } from '../../src/keys/pem.js';
import { DataType } from '../../src/format/types.js';
import { emptyDescriptor, GROUP_MASK } from '../../src/format/descriptor.js';
import { loadImage, ObjectDescriptor } from '../../src/image/image.js';
import type { KeySource } from '../../src/keys/pgp.js';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

const obj = (id: number, dataType: number, group = 1): ObjectDescriptor =>
  new ObjectDescriptor({ ...emptyDescriptor(), used: true, id, dataType, groupId: (group | GROUP_MASK) >>> 0 }, id - 1, 0);
const three = [obj(1, DataType.Deffile), obj(2, DataType.GenericJSON), obj(3, DataType.Partition)];
const result = (identity: string, fingerprint: string, source: KeySource): VerifyResult => ({
  signature: obj(4, DataType.Signature, 0),
  format: 'pgp',
  verified: three,
  signer: { identity, fingerprint, keyId: fingerprint.slice(-16), identities: [identity], source },
});
const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('literal examples of cli-output.md', () => {
  it('era C (CE 3.x / PRO), copied from a colour terminal', () => {
    const r = result('username (comment) <username>', 'BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', 'remote');
    const text = `Verifying image: ubuntu_latest.sif\n${formatResultText(r, true).text}Container verified: ubuntu_latest.sif\n`;
    expect(stripAnsi(text)).toBe(
      [
        'Verifying image: ubuntu_latest.sif',
        '[REMOTE]  Signing entity: username (comment) <username>',
        '[REMOTE]  Fingerprint: BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
        'Objects verified:',
        'ID  |GROUP   |LINK    |TYPE',
        '------------------------------------------------',
        '1   |1       |NONE    |Def.FILE',
        '2   |1       |NONE    |JSON.Generic',
        '3   |1       |NONE    |FS',
        'Container verified: ubuntu_latest.sif',
        '',
      ].join('\n'),
    );
    expect(text).toContain('\x1b[33m[REMOTE]\x1b[0m  Signing entity');
  });

  it('CE 4.x piped stdout: 12 spaces after [LOCAL]', () => {
    const r = result('SingularityCE Tests <singularityce@example.com>', 'F34371D0ACD5D09EB9BD853A80600A5FA11BBD29', 'local');
    expect(formatResultText(r, false).text).toBe(
      [
        '[LOCAL]            Signing entity: SingularityCE Tests <singularityce@example.com>',
        '[LOCAL]            Fingerprint: F34371D0ACD5D09EB9BD853A80600A5FA11BBD29',
        'Objects verified:',
        'ID  |GROUP   |LINK    |TYPE',
        '------------------------------------------------',
        '1   |1       |NONE    |Def.FILE',
        '2   |1       |NONE    |JSON.Generic',
        '3   |1       |NONE    |FS',
        '',
      ].join('\n'),
    );
  });

  it('label padding counts ANSI bytes (18-column quirk)', () => {
    expect(stripAnsi(labelColumn('local', true))).toBe('[LOCAL]   ');
    expect(stripAnsi(labelColumn('global', true))).toBe('[GLOBAL]  ');
    expect(labelColumn('local', false)).toBe('[LOCAL]' + ' '.repeat(12));
    expect(labelColumn('remote', false)).toBe('[REMOTE]' + ' '.repeat(11));
  });

  it('JSON success example, byte for byte', () => {
    const r = result('SingularityCE Tests <singularityce@example.com>', 'F34371D0ACD5D09EB9BD853A80600A5FA11BBD29', 'local');
    const entry = (p: string): string =>
      `    {\n      "Signer": {\n        "Partition": "${p}",\n        "Name": "SingularityCE Tests \\u003csingularityce@example.com\\u003e",\n        "Fingerprint": "f34371d0acd5d09eb9bd853a80600a5fa11bbd29",\n        "KeyLocal": true,\n        "KeyCheck": true,\n        "DataCheck": true\n      }\n    }`;
    expect(singularityJson([r], () => undefined)).toBe(
      `{\n  "Signatures": 1,\n  "SignerKeys": [\n${['Def.FILE', 'JSON.Generic', 'FS'].map(entry).join(',\n')}\n  ]\n}\n`,
    );
  });

  it('JSON for an unsigned image', () => {
    expect(singularityJson([], () => undefined)).toBe('{\n  "Signatures": 0,\n  "SignerKeys": null\n}\n');
  });
});

describe('sifkit verify end to end', () => {
  const key = join(TESTDATA, 'keys/sample-public.asc');
  const signed = join(TESTDATA, 'images/sample-signed.sif');
  const fp = (JSON.parse(readFileSync(join(TESTDATA, 'golden/sample-signed.verify.json'), 'utf8')) as { results: { fingerprint: string }[] })
    .results[0]!.fingerprint;

  it('ce3 (default): stdout block, exit 0', async () => {
    const r = await runCli(['verify', '--key', key, signed]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        `Verifying image: ${signed}`,
        '[LOCAL]            Signing entity: sifkit sample (test key) <sample@sifkit.test>',
        `[LOCAL]            Fingerprint: ${fp}`,
        'Objects verified:',
        'ID  |GROUP   |LINK    |TYPE',
        '------------------------------------------------',
        '1   |1       |NONE    |Def.FILE',
        '2   |1       |NONE    |JSON.Labels',
        '3   |1       |NONE    |FS',
        `Container verified: ${signed}`,
        '',
      ].join('\n'),
    );
  });

  it('ce4: INFO lines on stderr', async () => {
    const r = await runCli(['verify', '--style', 'ce4', '--key', key, signed]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`INFO:    Verifying image with PGP key material\nINFO:    Verified signature(s) from image '${signed}'\n`);
    expect(r.stdout.startsWith('[LOCAL]            Signing entity:')).toBe(true);
  });

  it('unsigned image: FATAL with the reference error, exit 255; ce4 lower-cases', async () => {
    const img = join(TESTDATA, 'images/sample.sif');
    const a = await runCli(['verify', '--key', key, img]);
    expect(a.code).toBe(255);
    expect(a.stdout).toBe(`Verifying image: ${img}\n`);
    expect(a.stderr).toBe('FATAL:   Failed to verify container: integrity: signature not found for object group 1\n');
    const b = await runCli(['verify', '--style', 'ce4', '--key', key, img]);
    expect(b.stderr.split('\n')[1]).toBe('FATAL:   failed to verify container: integrity: signature not found for object group 1');
    const c = await runCli(['verify', '--style', 'apptainer', '-j', '--key', key, img]);
    expect(c.stdout).toBe('{\n  "Signatures": 0,\n  "SignerKeys": null\n}\n');
    expect(c.stderr).toBe('FATAL:   Failed to verify container: integrity: signature not found for object group 1\n');
  });

  it('unknown signer: the error line after the result, then FATAL', async () => {
    const r = await runCli(['verify', '--key', join(TESTDATA, 'keys/other-public.asc'), signed]);
    expect(r.code).toBe(255);
    expect(r.stdout).toBe(
      `Verifying image: ${signed}\n\nError encountered during signature verification: signature object 4 not valid: openpgp: signature made by unknown entity\n`,
    );
    // singularity's line, plus the key the signature descriptor names (sifkit's addition).
    const fp = JSON.parse(readFileSync(join(TESTDATA, 'golden/sample-signed.inspect.json'), 'utf8')).descriptors.find((d: { id: number }) => d.id === 4)?.signature?.fingerprint;
    expect(r.stderr).toBe(`FATAL:   Failed to verify container: integrity: signature object 4 not valid: openpgp: signature made by unknown entity (the signature names key ${fp}, which is not among the keys given)\n`);
  });

  it('--json=full reports every signature with codes and goes past failures', async () => {
    const r = await runCli(['verify', '--json=full', '--key', key, join(TESTDATA, 'images/multi-signed-objects.sif')]);
    expect(r.code).toBe(255);
    const rep = JSON.parse(r.stdout) as { verified: boolean; errors: { code: string }[]; signatures: unknown[] };
    expect(rep.verified).toBe(false);
    expect(rep.errors.map((e) => e.code)).toEqual(['SIGNATURE_NOT_FOUND', 'OBJECT_NOT_SIGNED', 'SIGNATURE_NOT_FOUND']);
    expect(rep.signatures).toHaveLength(1);
  });
});

describe('verify --json on failures and other key kinds', () => {
  it('tampered data: verified objects, then a DataCheck false entry for the failing one', async () => {
    const src = readFileSync(join(TESTDATA, 'images/sample-signed.sif'));
    const bytes = new Uint8Array(src);
    // object 3 (the squashfs) starts at 32768 in sample-signed.sif
    bytes[32768 + 100]! ^= 1;
    const path = join(mkdtempSync(join(tmpdir(), 'sifkit-json-')), 'tampered.sif');
    writeFileSync(path, bytes);
    const r = await runCli(['verify', '-j', '--key', join(TESTDATA, 'keys/sample-public.asc'), path]);
    expect(r.code).toBe(255);
    const j = JSON.parse(r.stdout) as { Signatures: number; SignerKeys: { Signer: { Partition: string; DataCheck: boolean; KeyCheck: boolean } }[] };
    expect(j.Signatures).toBe(1);
    expect(j.SignerKeys.map((k) => [k.Signer.Partition, k.Signer.DataCheck])).toEqual([
      ['Def.FILE', true],
      ['JSON.Labels', true],
      ['FS', false],
    ]);
    expect(r.stderr).toBe('FATAL:   Failed to verify container: integrity: data object integrity compromised: 3\n');
  });
});

describe('verifyTranscript (the web page’s text) equals what the CLI prints', () => {
  const cases: [string, string, (b: Uint8Array) => void][] = [
    ['images/sample-signed.sif', 'keys/sample-public.asc', () => undefined],
    ['images/sample-signed.sif', 'keys/other-public.asc', () => undefined],
    ['images/sample-signed.sif', 'keys/sample-public.asc', (b) => (b[b.length - 5000] ^= 1)],
    ['images/sample.sif', 'keys/sample-public.asc', () => undefined],
    ['dsse/sample-p256.sif', 'dsse/p256-public.pem', () => undefined],
    ['dsse/sample-p256.sif', 'dsse/ed25519-public.pem', () => undefined],
  ];
  it.each(cases)('%s with %s (case %#)', async (image, keyFile, damage) => {
    const bytes = new Uint8Array(readFileSync(join(TESTDATA, image)));
    damage(bytes);
    const path = join(mkdtempSync(join(tmpdir(), 'sifkit-vt-')), 'image.sif');
    writeFileSync(path, bytes);
    const cli = await runCli(['verify', '--key', join(TESTDATA, keyFile), path]);
    const keyBytes = new Uint8Array(readFileSync(join(TESTDATA, keyFile)));
    const opts = keyFile.endsWith('.pem') ? { dsseKeys: [await readPemPublicKey(keyBytes)] } : { keyring: await readPgpKeys(keyBytes) };
    const img = await loadImage(new BytesStore(bytes));
    const rep = await verifyImage(img, opts);
    expect(verifyTranscript(path, img, rep)).toBe(cli.stdout + cli.stderr);
  });
});
