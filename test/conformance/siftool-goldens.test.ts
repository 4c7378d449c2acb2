// `sifkit header|list|info|dump` print exactly what siftool v2.24.1 prints (its own goldens).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { referenceFixtures } from '../helpers/paths.js';

const REF_SIF = join(referenceFixtures(), 'sylabs-sif');

const kebab = (s: string): string =>
  s
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();

describe('siftool v2.24.1 goldens (internal/app/siftool/testdata)', () => {
  const td = join(REF_SIF, 'internal/app/siftool/testdata');
  for (const cmd of ['Header', 'List'] as const) {
    const names = readdirSync(join(td, `TestApp_${cmd}`)).map((f) => f.replace(/\.golden$/, ''));
    for (const name of names) {
      it(`${cmd.toLowerCase()} ${name}`, async () => {
        const r = await runCli([cmd.toLowerCase(), join(REF_SIF, 'test/images', `${kebab(name)}.sif`)]);
        expect(r.stdout).toBe(readFileSync(join(td, `TestApp_${cmd}`, `${name}.golden`), 'utf8'));
      });
    }
  }
  it.each([
    ['Time', 'one-object-time', 1],
    ['GenericJSON', 'one-object-generic-json', 1],
    ['CryptMessage', 'one-object-crypt-message', 1],
    ['SBOM', 'one-object-sbom', 1],
    ['OCIRootIndex', 'one-object-oci-root-index', 1],
    ['OCIBlob', 'one-object-oci-blob', 1],
    ['DataPartitionRaw', 'two-groups-signed-pgp', 1],
    ['DataPartitionSquashFS', 'two-groups-signed-pgp', 2],
    ['DataPartitionEXT3', 'two-groups-signed-pgp', 3],
    ['DataSignature', 'two-groups-signed-pgp', 4],
  ])('info %s', async (golden, image, id) => {
    const r = await runCli(['info', String(id), join(REF_SIF, 'test/images', `${image}.sif`)]);
    expect(r.stdout).toBe(readFileSync(join(td, 'TestApp_Info', `${golden}.golden`), 'utf8'));
  });
  it.each([
    ['One', 1],
    ['Two', 2],
  ])('dump %s', async (golden, id) => {
    const r = await runCli(['dump', String(id), join(REF_SIF, 'test/images/one-group.sif')]);
    expect(r.stdoutBytes).toEqual(new Uint8Array(readFileSync(join(td, 'TestApp_Dump', `${golden}.golden`))));
  });
});
