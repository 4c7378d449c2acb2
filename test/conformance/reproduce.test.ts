// `sifkit new --deterministic` followed by `sifkit add` reproduces the reference's deterministic
// test images byte for byte (v2.24.1 test/images, inputs from its test/input).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { referenceFixtures } from '../helpers/paths.js';

const REF = referenceFixtures();
const REF_SIF = join(REF, 'sylabs-sif');

const tmp = mkdtempSync(join(tmpdir(), 'sifkit-repro-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const input = (n: string): string => join(REF_SIF, 'test/input', n);
const T = '2020-06-30T00:01:56Z';

async function make(name: string, newArgs: string[], adds: string[][]): Promise<Uint8Array> {
  const path = join(tmp, `${name}.sif`);
  const n = await runCli(['new', ...newArgs, path]);
  expect(n.stderr).toBe('');
  for (const a of adds) {
    const r = await runCli(['add', path, ...a]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }
  return new Uint8Array(readFileSync(path));
}

const json = join(tmp, 'data.json');

describe('deterministic images rebuilt with the CLI equal the reference images', () => {
  writeFileSync(json, '{}');
  const cases: [string, string[], string[][]][] = [
    ['empty', ['--deterministic'], []],
    ['empty-id', ['--deterministic', '--id', '3fa802cc-358b-45e3-bcc0-69dc7a45f9f8'], []],
    ['empty-launch-script', ['--deterministic', '--launch-script', '#!/usr/bin/env run-script\n'], []],
    ['one-object-generic-json', ['--deterministic'], [[json, '--datatype', '6', '--groupid', '1', '--filename', 'data.json']]],
    ['one-object-time', ['--deterministic', '--time', T], [[json, '--datatype', '6', '--groupid', '1', '--filename', 'data.json', '--time', T]]],
    ['one-object-sbom', ['--deterministic'], [[input('sbom.cdx.json'), '--datatype', '9', '--sbomformat', 'cyclonedx-json', '--groupid', '1']]],
    ['one-object-oci-root-index', ['--deterministic'], [[input('index.json'), '--datatype', '10', '--groupid', '1']]],
    ['one-object-oci-blob', ['--deterministic'], [[input('oci-config.json'), '--datatype', '11', '--groupid', '1']]],
  ];
  const raw = join(tmp, 'raw.bin');
  writeFileSync(raw, Buffer.from([0xfa, 0xce, 0xfe, 0xed]));
  const oneGroup = [
    [raw, '--datatype', '4', '--partfs', '4', '--parttype', '1', '--partarch', '1', '--groupid', '1'],
    [input('root.squashfs'), '--datatype', '4', '--partfs', '1', '--parttype', '2', '--partarch', '1', '--groupid', '1'],
  ];
  cases.push(['one-group', ['--deterministic'], oneGroup]);
  cases.push([
    'two-groups',
    ['--deterministic'],
    [...oneGroup, [input('root.ext3'), '--datatype', '4', '--partfs', '2', '--parttype', '1', '--partarch', '2', '--groupid', '2']],
  ]);
  for (const [name, newArgs, adds] of cases) {
    it(name, async () => {
      const got = await make(name, newArgs, adds);
      expect(got).toEqual(new Uint8Array(readFileSync(join(REF_SIF, 'test/images', `${name}.sif`))));
    });
  }
});
