// Verification verdicts against the reference library's own answers (sif-ref JSON committed in
// testdata/golden by testdata/generate.sh), for the project's images made by siftool and sif-ref.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyImage, type VerifyOptions } from '../../src/integrity/verify.js';
import { readPgpKeys } from '../../src/keys/pgp.js';
import { openImage } from '../../src/node.js';
import { normalizeOracle, toOracleShape, type OracleVerify } from '../helpers/oracle-shape.js';
import { TESTDATA } from '../helpers/paths.js';

const golden = (name: string): OracleVerify => JSON.parse(readFileSync(join(TESTDATA, 'golden', name), 'utf8')) as OracleVerify;

async function keyring(file: string): Promise<VerifyOptions['keyring']> {
  const keys = await readPgpKeys(new Uint8Array(readFileSync(join(TESTDATA, 'keys', file))));
  return { entries: keys.map((key) => ({ key, source: 'local' as const })) };
}

async function verify(image: string, key: string, extra: VerifyOptions = {}): Promise<OracleVerify> {
  const img = await openImage(join(TESTDATA, 'images', image));
  try {
    return normalizeOracle(toOracleShape(await verifyImage(img, { keyring: await keyring(key), ...extra })));
  } finally {
    await img.close();
  }
}

const images = ['sample', 'sample-signed', 'multi', 'multi-signed', 'multi-signed-objects'];

describe('verify agrees with the reference library (committed sif-ref goldens)', () => {
  for (const n of images) {
    it(`${n}: trusted key`, async () => {
      expect(await verify(`${n}.sif`, 'sample-public.asc')).toEqual(normalizeOracle(golden(`${n}.verify.json`)));
    });
    it(`${n}: unrelated key (unknown signer)`, async () => {
      expect(await verify(`${n}.sif`, 'other-public.asc')).toEqual(normalizeOracle(golden(`${n}.verify-other.json`)));
    });
  }
  it('object selection covered by a subset signature', async () => {
    expect(await verify('multi-signed-objects.sif', 'sample-public.asc', { objects: [5] })).toEqual(
      normalizeOracle(golden('multi-signed-objects.verify-object-5.json')),
    );
  });
  it('object selection not covered by the subset signature', async () => {
    expect(await verify('multi-signed-objects.sif', 'sample-public.asc', { objects: [7] })).toEqual(
      normalizeOracle(golden('multi-signed-objects.verify-object-7.json')),
    );
  });
  it('group whose signature covers only some objects fails the exact-set check', async () => {
    expect(await verify('multi-signed-objects.sif', 'sample-public.asc', { groups: [2] })).toEqual(
      normalizeOracle(golden('multi-signed-objects.verify-group-2.json')),
    );
  });
  it('several selected groups', async () => {
    expect(await verify('multi-signed.sif', 'sample-public.asc', { groups: [3, 1, 3] })).toEqual(
      normalizeOracle(golden('multi-signed.verify-groups-1-3.json')),
    );
  });
});
