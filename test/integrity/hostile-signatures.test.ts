// Security: hostile signature objects get a clean typed failure and are never "verified" (except the
// control, and duplicate JSON keys whose last value is right, which the reference verifies too: Go's
// encoding/json keeps the last duplicate, and the whole message was signed by the key holder).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SifError } from '../../src/errors.js';
import { BytesStore } from '../../src/io/source.js';
import { loadImage } from '../../src/image/image.js';
import { verifyImage, type VerifyOptions, type VerifyReport } from '../../src/integrity/verify.js';
import { readPgpKeys } from '../../src/keys/pgp.js';
import { hostileImages } from '../helpers/hostile.js';
import { TESTDATA } from '../helpers/paths.js';

let cases: Record<string, Uint8Array>;
let opts: VerifyOptions;
beforeAll(async () => {
  cases = await hostileImages();
  const keys = await readPgpKeys(new Uint8Array(readFileSync(join(TESTDATA, 'keys/sample-public.asc'))));
  opts = { keyring: { entries: keys.map((key) => ({ key, source: 'local' as const })) }, dsseKeys: [] };
});

async function verify(name: string): Promise<VerifyReport> {
  const rep = await verifyImage(await loadImage(new BytesStore(cases[name]!)), opts);
  for (const e of rep.errors) expect(e).toBeInstanceOf(SifError);
  return rep;
}

const expected: [string, string][] = [
  ['garbage', 'FORMAT_NOT_RECOGNIZED'],
  ['empty', 'FORMAT_NOT_RECOGNIZED'],
  ['truncated-armor', 'FORMAT_NOT_RECOGNIZED'],
  ['armor-body-damaged', 'SIGNATURE_NOT_VALID'],
  ['truncated-before-signature', 'FORMAT_NOT_RECOGNIZED'],
  ['huge-clearsign-block', 'TOO_LARGE'],
  ['binary-noise', 'FORMAT_NOT_RECOGNIZED'],
  ['duplicate-keys-last-wrong', 'HEADER_INTEGRITY'],
  ['digest-too-short', 'SIGNATURE_NOT_VALID'],
  ['digest-not-hex', 'SIGNATURE_NOT_VALID'],
  ['digest-unknown-algorithm', 'SIGNATURE_NOT_VALID'],
  ['relative-id-overflow', 'OBJECT_NOT_SIGNED'],
  ['relative-id-too-large', 'SIGNATURE_NOT_VALID'],
  ['objects-missing', 'OBJECT_NOT_SIGNED'],
  ['json-not-object', 'SIGNATURE_NOT_VALID'],
  ['json-invalid', 'SIGNATURE_NOT_VALID'],
  ['json-trailing-garbage', 'SIGNATURE_NOT_VALID'],
  ['json-bad-key', 'SIGNATURE_NOT_VALID'],
  ['json-missing-colon', 'SIGNATURE_NOT_VALID'],
  ['json-bad-number', 'SIGNATURE_NOT_VALID'],
  ['json-bad-exponent', 'SIGNATURE_NOT_VALID'],
  ['json-bad-literal', 'SIGNATURE_NOT_VALID'],
  ['json-bad-escape', 'SIGNATURE_NOT_VALID'],
  ['json-bad-array', 'SIGNATURE_NOT_VALID'],
  ['json-deep', 'SIGNATURE_NOT_VALID'],
  ['json-empty', 'SIGNATURE_NOT_VALID'],
  ['link-to-missing-group', 'SIGNATURE_NOT_FOUND'],
  ['fingerprint-mismatch', 'FINGERPRINT_MISMATCH'],
  ['fingerprint-absent', 'FINGERPRINT_MISMATCH'],
  ['dsse-bad-base64', 'NO_KEY_MATERIAL'],
];

describe('hostile signature objects', () => {
  it('the control image verifies', async () => {
    expect((await verify('valid')).verified).toBe(true);
  });
  for (const [name, code] of expected) {
    it(`${name}: ${code}, not verified`, async () => {
      const rep = await verify(name);
      expect(rep.verified).toBe(false);
      expect(rep.errors[0]!.code).toBe(code);
    });
  }
  it('duplicate JSON keys: the last one counts, as in Go', async () => {
    expect((await verify('duplicate-keys-last-right')).verified).toBe(true);
  });
  it('a DSSE envelope with bad base64 fails with a key supplied too', async () => {
    const { readPemPublicKey } = await import('../../src/keys/pem.js');
    const pem = readFileSync(join(TESTDATA, 'dsse/ed25519-public.pem'), 'utf8');
    const rep = await verifyImage(await loadImage(new BytesStore(cases['dsse-bad-base64']!)), {
      ...opts,
      dsseKeys: [await readPemPublicKey(new TextEncoder().encode(pem))],
    });
    expect(rep.verified).toBe(false);
    expect(rep.errors[0]!.code).toBe('SIGNATURE_NOT_VALID');
  });
});
