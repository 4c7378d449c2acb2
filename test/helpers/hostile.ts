// Hostile signature objects: images whose group-1 signature is garbage, truncated, huge, or a validly
// signed message with hostile JSON. Shared by the unit suite and the differential interop test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BytesStore } from '../../src/io/source.js';
import { addObject } from '../../src/image/edit.js';
import { loadImage } from '../../src/image/image.js';
import { DataType, HashType } from '../../src/format/types.js';
import { signClearsign } from '../../src/integrity/clearsign.js';
import { computeMetadata, encodeMetadata } from '../../src/integrity/metadata.js';
import { fingerprintBytes, readPgpKeys, type PgpPrivateKey } from '../../src/keys/pgp.js';
import { TESTDATA } from './paths.js';

const sample = (): Uint8Array => new Uint8Array(readFileSync(join(TESTDATA, 'images/sample.sif')));

/** The test key (committed; made by gpg in testdata/generate.sh). */
export async function sampleKey(): Promise<PgpPrivateKey> {
  const [k] = await readPgpKeys(new Uint8Array(readFileSync(join(TESTDATA, 'keys/sample-secret.asc'))));
  return k as PgpPrivateKey;
}

/** sample.sif plus one signature object with the given bytes, linked to `group`. */
export async function withSignature(data: Uint8Array, opts: { group?: number; fingerprint?: Uint8Array } = {}): Promise<Uint8Array> {
  const store = new BytesStore(sample());
  const img = await loadImage(store);
  await addObject(
    img,
    { dataType: DataType.Signature, data, group: null, link: { group: opts.group ?? 1 }, signature: { hashType: HashType.SHA256, fingerprint: opts.fingerprint ?? fingerprintBytes(await sampleKey()) } },
    { time: 1700000000 },
  );
  return store.bytes().slice();
}

/** The metadata JSON the reference would sign for sample.sif's group 1. */
export async function sampleMetadataJson(): Promise<string> {
  const img = await loadImage(new BytesStore(sample()));
  return encodeMetadata(await computeMetadata(img, 1, img.objects()));
}

/** A validly clear-signed message (by the test key) carrying `json`. */
export async function signed(json: string): Promise<Uint8Array> {
  return signClearsign(json, await sampleKey(), { date: new Date('2026-01-01T00:00:00Z') });
}

/** The hostile cases: name → image bytes. */
export async function hostileImages(): Promise<Record<string, Uint8Array>> {
  const good = await signed(await sampleMetadataJson());
  const goodText = new TextDecoder().decode(good);
  const json = await sampleMetadataJson();
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  const huge = new Uint8Array(17 << 20);
  huge.set(good.subarray(0, 60));
  huge.fill(0x41, 60);
  const hdr = /"header":\{"digest":"sha256:([0-9a-f]+)"\}/.exec(json)![1]!;
  return {
    garbage: await withSignature(enc('this is not a signature at all')),
    empty: await withSignature(new Uint8Array()),
    'truncated-armor': await withSignature(good.subarray(0, good.length - 40)),
    'armor-body-damaged': await withSignature(
      enc(goodText.replace(/(-----BEGIN PGP SIGNATURE-----\n\n.{30})(.)/, (_m, a: string, c: string) => a + (c === 'A' ? 'B' : 'A'))),
    ),
    'truncated-before-signature': await withSignature(good.subarray(0, goodText.indexOf('-----BEGIN PGP SIGNATURE-----'))),
    'huge-clearsign-block': await withSignature(huge),
    'binary-noise': await withSignature(Uint8Array.from({ length: 3000 }, (_, i) => (i * 7919) % 251)),
    'duplicate-keys-last-wrong': await withSignature(await signed(json.replace(/\}$/, `,"header":{"digest":"sha256:${'0'.repeat(64)}"}}`))),
    'duplicate-keys-last-right': await withSignature(await signed(json.replace('{"version":1,', `{"version":1,"header":{"digest":"sha256:${'0'.repeat(64)}"},`))),
    'digest-too-short': await withSignature(await signed(json.replace(hdr, hdr.slice(0, 62)))),
    'digest-not-hex': await withSignature(await signed(json.replace(hdr, `zz${hdr.slice(2)}`))),
    'digest-unknown-algorithm': await withSignature(await signed(json.replace('"header":{"digest":"sha256:', '"header":{"digest":"md5:'))),
    'relative-id-overflow': await withSignature(await signed(json.replace('"relativeId":0', '"relativeId":4294967295'))),
    'relative-id-too-large': await withSignature(await signed(json.replace('"relativeId":0', '"relativeId":4294967296'))),
    'objects-missing': await withSignature(await signed(json.replace(/,"objects":\[.*\]\}$/, '}'))),
    'json-not-object': await withSignature(await signed('[1,2,3]')),
    'json-invalid': await withSignature(await signed('{"version":1,')),
    'json-trailing-garbage': await withSignature(await signed(json + 'x')),
    'json-bad-key': await withSignature(await signed('{version:1}')),
    'json-missing-colon': await withSignature(await signed('{"version" 1}')),
    'json-bad-number': await withSignature(await signed('{"version":-x}')),
    'json-bad-exponent': await withSignature(await signed('{"version":1e+}')),
    'json-bad-literal': await withSignature(await signed('{"version":tru}')),
    'json-bad-escape': await withSignature(await signed('{"version":"\\q"}')),
    'json-bad-array': await withSignature(await signed('{"objects":[1 2]}')),
    'json-deep': await withSignature(await signed('['.repeat(10001) + ']'.repeat(10001))),
    'json-empty': await withSignature(await signed('')),
    'link-to-missing-group': await withSignature(good, { group: 99 }),
    'fingerprint-mismatch': await withSignature(good, { fingerprint: new Uint8Array(20).fill(0xab) }),
    'fingerprint-absent': await withSignature(good, { fingerprint: new Uint8Array(20) }),
    'dsse-bad-base64': await withSignature(enc('{"payloadType":"application/vnd.sylabs.sif-metadata+json","payload":"!!!","signatures":[{"keyid":"","sig":"AAAA"}]}')),
    valid: await withSignature(good),
  };
}
