// "Signed by" look-ups (no crypto) against the reference library's answers (committed goldens).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signedBy } from '../../src/integrity/verify.js';
import { openImage } from '../../src/node.js';
import { TESTDATA } from '../helpers/paths.js';

describe('signedBy any / all equals the reference', () => {
  for (const n of ['sample', 'sample-signed', 'multi', 'multi-signed', 'multi-signed-objects']) {
    for (const mode of ['any', 'all'] as const) {
      it(`${n} (${mode})`, async () => {
        const golden = JSON.parse(readFileSync(join(TESTDATA, 'golden', `${n}.signed-by-${mode}.json`), 'utf8')) as { fingerprints: string[] | null };
        const img = await openImage(join(TESTDATA, 'images', `${n}.sif`));
        expect(await signedBy(img, mode)).toEqual(golden.fingerprints ?? []);
        await img.close();
      });
    }
  }
});
