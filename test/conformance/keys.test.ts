// Key IDs of the sylabs/sif v2.24.1 test keys, as the reference computes them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPemPublicKey } from '../../src/keys/pem.js';
import { referenceFixtures } from '../helpers/paths.js';

const REF_SIF = join(referenceFixtures(), 'sylabs-sif');

describe('PEM keys of the reference', () => {
  it('key IDs of the reference test keys are their OpenSSH SHA256 fingerprints', async () => {
    const ref = (n: string): Uint8Array => new Uint8Array(readFileSync(join(REF_SIF, 'test/keys', n)));
    expect((await readPemPublicKey(ref('ed25519-public.pem'))).keyId).toBe('SHA256:x6l8ZblpSSXGaPMCzySedWg88BwIFcz8jlPb6el0mFs');
    expect((await readPemPublicKey(ref('rsa-public.pem'))).keyId).toBe('SHA256:BhCwr7qZulYcOMSl2Jt2DuYHxHNnN6th4NdMqR/PGa4');
  });
});
