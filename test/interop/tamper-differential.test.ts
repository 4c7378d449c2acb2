// Differential: tampered copies of signed images get the reference's verdict. Bytes are flipped at
// positions chosen by fast-check (seeded; the seed is printed on failure so any finding replays);
// sifkit's verdict, signature results and error text must equal sif-ref's. Where sifkit refuses the
// image at load (bounds, overlap), the reference must not have verified it either. For damaged
// signature packets the OpenPGP library's detail text may differ (see coarseSignatureDetail).
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSifError } from '../../src/errors.js';
import { BytesStore } from '../../src/io/source.js';
import { loadImage } from '../../src/image/image.js';
import { verifyImage } from '../../src/integrity/verify.js';
import { readPgpKeys } from '../../src/keys/pgp.js';
import { asV283, coarseSignatureDetail, normalizeOracle, toOracleShape, type OracleVerify } from '../helpers/oracle-shape.js';
import { TESTDATA } from '../helpers/paths.js';
import { oracle } from './tools.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-tamper-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keyFile = join(TESTDATA, 'keys/sample-public.asc');

async function ours(b: Uint8Array): Promise<OracleVerify | 'load-error'> {
  const keys = await readPgpKeys(new Uint8Array(readFileSync(keyFile)));
  try {
    const img = await loadImage(new BytesStore(b));
    const rep = await verifyImage(img, { keyring: { entries: keys.map((key) => ({ key, source: 'local' as const })) } });
    return normalizeOracle(asV283(rep, toOracleShape(rep)));
  } catch (e) {
    if (isSifError(e)) return 'load-error';
    throw e;
  }
}

describe('tampered images: sifkit agrees with the reference', () => {
  for (const image of ['sample-signed', 'multi-signed']) {
    it(`${image}: random single-byte changes`, async () => {
      const original = new Uint8Array(readFileSync(join(TESTDATA, 'images', `${image}.sif`)));
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: original.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
          const b = original.slice();
          b[at]! ^= xor;
          const path = join(dir, `${image}-${n++}.sif`);
          writeFileSync(path, b);
          const raw = oracle<OracleVerify & { crashed?: string }>(['verify', '--key', keyFile, path]);
          const got = await ours(b);
          if (raw.crashed) {
            expect(got === 'load-error' || !got.ok, `byte ${at} ^ ${xor}: the reference crashed (${raw.crashed}); sifkit verified`).toBe(true);
            return;
          }
          const ref = normalizeOracle(raw);
          if (got === 'load-error') expect(ref.ok, `byte ${at} ^ ${xor}: sifkit refused to load, reference verified`).toBe(false);
          else if (ref.errorKind === 'SignatureNotValid' && got.errorKind === 'SignatureNotValid') {
            expect(coarseSignatureDetail(got), `byte ${at} ^ ${xor}`).toEqual(coarseSignatureDetail(ref));
          } else expect(got, `byte ${at} ^ ${xor}`).toEqual(ref);
        }),
        { numRuns: 120, seed: Number(process.env.SIFKIT_SEED ?? 20261130) },
      );
    });
  }

  it('every byte of the header and the first descriptors of sample-signed', async () => {
    const original = new Uint8Array(readFileSync(join(TESTDATA, 'images/sample-signed.sif')));
    const positions = [...Array(128).keys(), ...Array.from({ length: 4 * 585 }, (_, i) => 4096 + i).filter((_, i) => i % 3 === 0)];
    for (const at of positions) {
      const b = original.slice();
      b[at]! ^= 0x01;
      const path = join(dir, `hdr-${at}.sif`);
      writeFileSync(path, b);
      const raw = oracle<OracleVerify & { crashed?: string }>(['verify', '--key', keyFile, path]);
      const got = await ours(b);
      if (raw.crashed) {
        expect(got === 'load-error' || !got.ok, `byte ${at}: reference crashed, sifkit verified`).toBe(true);
        continue;
      }
      const ref = normalizeOracle(raw);
      if (got === 'load-error') expect(ref.ok, `byte ${at}`).toBe(false);
      else expect(got, `byte ${at}`).toEqual(ref);
    }
  });
});
