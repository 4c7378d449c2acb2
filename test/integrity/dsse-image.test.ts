// DSSE-signed images (testdata/dsse/make.sh: OpenSSL keys, sifkit signatures) verified with PEM
// public keys: Ed25519, ECDSA P-256 and P-384, RSA (PKCS#1 v1.5), the right key, another key, and one changed byte of the
// signed root file system. Portable: also runs in Chromium (npm run test:browser), where the PEM
// keys go through WebCrypto.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BytesStore } from '../../src/io/source.js';
import { loadImage } from '../../src/image/image.js';
import { verifyImage } from '../../src/integrity/verify.js';
import { readPemPublicKey } from '../../src/keys/pem.js';
import { TESTDATA } from '../helpers/paths.js';

const file = (name: string): Uint8Array => new Uint8Array(readFileSync(join(TESTDATA, 'dsse', name)));
const key = (name: string) => readPemPublicKey(file(`${name}-public.pem`));

describe('DSSE images with PEM keys', () => {
  const algs = ['ed25519', 'p256', 'p384', 'rsa'];
  for (const [i, alg] of algs.entries()) {
    const other = algs[(i + 1) % algs.length]!;
    it(`${alg}: verified with its key, every object of group 1 covered`, async () => {
      const rep = await verifyImage(await loadImage(new BytesStore(file(`sample-${alg}.sif`))), { dsseKeys: [await key(alg)] });
      expect(rep.errors).toEqual([]);
      expect(rep.verified).toBe(true);
      expect(rep.results.map((r) => r.format)).toEqual(['dsse']);
      expect(rep.results[0]!.verified.map((o) => o.id)).toEqual([1, 2, 3]);
    });
    it(`${alg}: not verified with the ${other} key`, async () => {
      const rep = await verifyImage(await loadImage(new BytesStore(file(`sample-${alg}.sif`))), { dsseKeys: [await key(other)] });
      expect(rep.verified).toBe(false);
      expect(rep.errors[0]!.code).toBe('SIGNATURE_NOT_VALID');
    });
    it(`${alg}: not verified when a byte of the root file system changes`, async () => {
      const bytes = file(`sample-${alg}.sif`);
      const img = await loadImage(new BytesStore(bytes));
      const fs = img.objects().find((d) => d.id === 3)!;
      bytes[fs.offset + Math.floor(fs.size / 2)] ^= 1;
      const rep = await verifyImage(await loadImage(new BytesStore(bytes)), { dsseKeys: [await key(alg)] });
      expect(rep.verified).toBe(false);
      expect(rep.errors[0]!.code).toBe('OBJECT_INTEGRITY');
    });
  }
});
