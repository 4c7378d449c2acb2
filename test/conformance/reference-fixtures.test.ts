// The v2.24.1 reference fixtures (../shared/reference-fixtures): signed images verify with their keys
// (PGP test key; DSSE PEM keys; legacy with the legacy options; apptainer's variants), deterministic
// signing reproduces the reference's signed images byte for byte, and DSSE envelopes equal the
// reference's golden envelopes.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signEnvelope, verifyEnvelope, parseEnvelope } from '../../src/integrity/dsse.js';
import { signImage } from '../../src/integrity/sign.js';
import { verifyImage, type VerifyOptions } from '../../src/integrity/verify.js';
import { readPemPrivateKey, readPemPublicKey } from '../../src/keys/pem.js';
import { readPgpKeys, type PgpPrivateKey } from '../../src/keys/pgp.js';
import { openImage } from '../../src/node.js';
import { referenceFixtures } from '../helpers/paths.js';

const REF = referenceFixtures();
const REF_SIF = join(REF, 'sylabs-sif');

const img = (n: string): string => join(REF_SIF, 'test/images', `${n}.sif`);
const key = (n: string): Uint8Array => new Uint8Array(readFileSync(join(REF_SIF, 'test/keys', n)));
const tmp = mkdtempSync(join(tmpdir(), 'sifkit-ref-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(path: string, opts: VerifyOptions): Promise<{ ok: boolean; sigs: string[]; errors: string[] }> {
  const i = await openImage(path);
  try {
    const rep = await verifyImage(i, opts);
    return {
      ok: rep.verified,
      sigs: rep.results.map((r) => `${r.signature.id}:${r.verified.map((d) => d.id).join(',')}`),
      errors: rep.errors.map((e) => e.code),
    };
  } finally {
    await i.close();
  }
}

describe('reference fixtures v2.24.1', async () => {
  const pgp = await readPgpKeys(key('private.asc'));
  const keyring = { entries: pgp.map((k) => ({ key: k.toPublic(), source: 'local' as const })) };
  const dsseKeys = [await readPemPublicKey(key('ed25519-public.pem')), await readPemPublicKey(key('rsa-public.pem'))];

  it.each([
    ['one-group-signed-pgp', {}, ['3:1,2']],
    ['two-groups-signed-pgp', {}, ['4:1,2', '5:3']],
    ['one-group-signed-dsse', { dsse: true }, ['3:1,2']],
    ['two-groups-signed-dsse', { dsse: true }, ['4:1,2', '5:3']],
    ['one-group-signed-legacy', { legacy: true, objects: [2] }, ['3:2']],
    ['one-group-signed-legacy-group', { legacy: true }, ['3:1,2']],
    ['one-group-signed-legacy-all', { legacy: true, legacyAll: true }, ['3:1', '4:2']],
    ['two-groups-signed-legacy', { legacy: true, objects: [2] }, ['4:2']],
    ['two-groups-signed-legacy-group', { legacy: true, groups: [1] }, ['4:1,2']],
    ['two-groups-signed-legacy-all', { legacy: true, objects: [1, 2] }, ['4:1', '5:2']],
  ] as const)('%s verifies', async (name, o, sigs) => {
    const { dsse, ...rest } = o as { dsse?: boolean } & Omit<VerifyOptions, 'keyring'>;
    const opts: VerifyOptions = { keyring, ...rest, ...(dsse ? { dsseKeys } : {}) };
    const r = await run(img(name), opts);
    expect(r).toEqual({ ok: true, sigs, errors: [] });
  });

  it.each(['one-group-signed-pgp', 'two-groups-signed-pgp', 'one-group-signed-dsse', 'two-groups-signed-dsse'])(
    'apptainer-sif %s verifies (other key build; DSSE envelopes with a trailing newline)',
    async (name) => {
      const apptainerKeys = await readPgpKeys(new Uint8Array(readFileSync(join(REF, 'apptainer-sif/test/keys/private.asc'))));
      const r = await run(join(REF, 'apptainer-sif/test/images', `${name}.sif`), {
        keyring: { entries: apptainerKeys.map((k) => ({ key: k.toPublic(), source: 'local' as const })) },
        dsseKeys,
      });
      expect(r.ok).toBe(true);
    },
  );

  it('legacy signatures are not accepted without the legacy option', async () => {
    const r = await run(img('one-group-signed-legacy-group'), { keyring });
    expect(r).toMatchObject({ ok: false, errors: ['SIGNATURE_NOT_FOUND'] });
  });

  it('a DSSE image without PEM keys fails with key material not provided', async () => {
    const r = await run(img('one-group-signed-dsse'), { keyring });
    expect(r).toMatchObject({ ok: false, errors: ['NO_KEY_MATERIAL'] });
  });

  it('a DSSE image with only an unrelated PEM key fails', async () => {
    const r = await run(img('one-group-signed-dsse'), { dsseKeys: [await readPemPublicKey(key('ecdsa-public.pem'))] });
    expect(r).toMatchObject({ ok: false, errors: ['SIGNATURE_NOT_VALID'] });
  });

  it.each(['one-group', 'two-groups'])('deterministic PGP signing of %s reproduces the reference image byte for byte', async (name) => {
    const path = join(tmp, `${name}.sif`);
    copyFileSync(img(name), path);
    const i = await openImage(path, { writable: true });
    await signImage(i, { pgpKey: pgp[0] as PgpPrivateKey, time: new Date('2020-06-30T00:01:56Z'), deterministic: true });
    await i.close();
    expect(readFileSync(path)).toEqual(readFileSync(img(`${name}-signed-pgp`)));
  });

  it.each(['one-group', 'two-groups'])('deterministic DSSE signing of %s (Ed25519 + RSA) reproduces the reference image', async (name) => {
    const path = join(tmp, `${name}-dsse.sif`);
    copyFileSync(img(name), path);
    const i = await openImage(path, { writable: true });
    const keys = [await readPemPrivateKey(key('ed25519-private.pem')), await readPemPrivateKey(key('rsa-private.pem'))];
    await signImage(i, { dsseKeys: keys, time: new Date('2020-06-30T00:01:56Z'), deterministic: true });
    await i.close();
    expect(readFileSync(path)).toEqual(readFileSync(img(`${name}-signed-dsse`)));
  });

  describe('DSSE envelopes equal pkg/integrity Test_dsseEncoder_signMessage goldens', () => {
    const msg = new TextEncoder().encode('{"One":1,"Two":2}\n');
    const golden = (n: string): string => readFileSync(join(REF_SIF, 'pkg/integrity/testdata/Test_dsseEncoder_signMessage', `${n}.golden`), 'utf8');
    it.each([
      ['ED25519', ['ed25519-private.pem'], 'sha256'],
      ['RSA_SHA256', ['rsa-private.pem'], 'sha256'],
      ['RSA_SHA384', ['rsa-private.pem'], 'sha384'],
      ['RSA_SHA512', ['rsa-private.pem'], 'sha512'],
      ['Multi', ['rsa-private.pem', 'rsa-private.pem'], 'sha256'],
    ] as const)('%s', async (name, files, hash) => {
      const keys = await Promise.all(files.map(async (f) => readPemPrivateKey(key(f))));
      const env = new TextDecoder().decode(await signEnvelope(msg, keys, hash));
      expect(env).toBe(golden(name));
      const parsed = parseEnvelope(new TextEncoder().encode(env))!;
      const v = await verifyEnvelope(parsed, [await readPemPublicKey(key(files[0]))], hash);
      expect(new TextDecoder().decode(v.payload)).toBe('{"One":1,"Two":2}\n');
    });
  });
});
