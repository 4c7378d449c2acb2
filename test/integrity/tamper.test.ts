// Security: "verified" only when every covered byte matches. Flip bytes of a signed image, region by
// region: every covered byte (header launch script and ID, every covered descriptor field, every data
// byte) must fail with the right kind; bytes the reference does not cover must not change the verdict.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isSifError, type SifErrorCode } from '../../src/errors.js';
import { BytesStore } from '../../src/io/source.js';
import { loadImage } from '../../src/image/image.js';
import { verifyImage, type VerifyOptions } from '../../src/integrity/verify.js';
import { readPgpKeys } from '../../src/keys/pgp.js';
import { DESCRIPTOR_SIZE } from '../../src/format/descriptor.js';
import { TESTDATA } from '../helpers/paths.js';

const original = new Uint8Array(readFileSync(join(TESTDATA, 'images/sample-signed.sif')));
let opts: VerifyOptions;
beforeAll(async () => {
  const keys = await readPgpKeys(new Uint8Array(readFileSync(join(TESTDATA, 'keys/sample-public.asc'))));
  opts = { keyring: { entries: keys.map((key) => ({ key, source: 'local' as const })) } };
});

/** Verdict of the image with byte `at` XOR `x` (default 1): 'verified', or the first error code. */
async function flip(at: number, x = 0x01): Promise<'verified' | SifErrorCode> {
  const b = original.slice();
  b[at]! ^= x;
  try {
    const rep = await verifyImage(await loadImage(new BytesStore(b)), opts);
    return rep.verified ? 'verified' : rep.errors[0]!.code;
  } catch (e) {
    if (isSifError(e)) return e.code; // load refused the image: not verified
    throw e; // anything else is a bug
  }
}

const LOAD_ERRORS: SifErrorCode[] = ['OUT_OF_BOUNDS', 'OVERLAPPING_OBJECTS', 'BAD_DESCRIPTOR_FIELD', 'TRUNCATED', 'BAD_HEADER_FIELD'];

describe('tampering with a signed image (sample-signed.sif: objects 1-3 in group 1, signature 4)', () => {
  it('the untouched image verifies', async () => {
    const rep = await verifyImage(await loadImage(new BytesStore(original.slice())), opts);
    expect(rep.verified).toBe(true);
  });

  it('header: launch script and ID bytes are covered', async () => {
    for (const at of [0, 5, 31, 48, 55, 63]) expect(await flip(at), `byte ${at}`).toBe('HEADER_INTEGRITY');
  });

  it('header: magic and version make the image unreadable', async () => {
    for (const at of [32, 41]) expect(await flip(at)).toBe('BAD_MAGIC');
    for (const at of [42, 44]) expect(await flip(at)).toBe('BAD_VERSION');
  });

  it('header: arch, times, free count, data offset and size are not covered', async () => {
    for (const at of [45, 46, 47, 64, 70, 72, 79, 80, 112, 119, 120, 127]) expect(await flip(at), `byte ${at}`).toBe('verified');
  });

  const table = 4096;
  const covered: [string, number, number][] = [
    ['dataType', 0, 4],
    ['linkedId', 13, 17],
    ['size', 25, 33],
    ['createdAt', 41, 49],
    ['uid/gid', 57, 73],
    ['name', 73, 201],
    ['extra', 201, 585],
  ];
  for (const id of [1, 2, 3]) {
    it(`descriptor ${id}: every covered byte fails`, async () => {
      const base = table + (id - 1) * DESCRIPTOR_SIZE;
      for (const [field, from, to] of covered) {
        for (let off = from; off < to; off++) {
          const v = await flip(base + off);
          if (field === 'size') expect(['DESCRIPTOR_INTEGRITY', ...LOAD_ERRORS], `${field}+${off}`).toContain(v);
          else expect(v, `${field}+${off}`).toBe('DESCRIPTOR_INTEGRITY');
        }
      }
    });
    it(`descriptor ${id}: offset, id, group and used bytes change what is read: never verified`, async () => {
      const base = table + (id - 1) * DESCRIPTOR_SIZE;
      for (const off of [4, 5, 6, 8, 9, 12, 17, 18, 20, 24]) expect(await flip(base + off), `+${off}`).not.toBe('verified');
    });
    it(`descriptor ${id}: sizeWithPadding and modifiedAt are not covered`, async () => {
      const base = table + (id - 1) * DESCRIPTOR_SIZE;
      for (const off of [33, 34, 40, 49, 50, 56]) expect(await flip(base + off), `+${off}`).toBe('verified');
    });
  }

  it('a `used` byte of 2..255 is true, as Go reads a bool, and signs as 1 (found by differential fuzzing)', async () => {
    for (const id of [1, 2, 3]) expect(await flip(table + (id - 1) * DESCRIPTOR_SIZE + 4, 0x02)).toBe('verified');
  });

  it('unused descriptor slots are not covered (except turning one on)', async () => {
    const base = table + 10 * DESCRIPTOR_SIZE;
    for (const off of [0, 5, 9, 17, 25, 100, 300, 584]) expect(await flip(base + off), `+${off}`).toBe('verified');
    expect(await flip(base + 4)).toBe('NO_GROUP');
  });

  it('every data byte of every signed object is covered', async () => {
    const img = await loadImage(new BytesStore(original.slice()));
    for (const d of img.objects().filter((o) => o.groupId === 1)) {
      const step = Math.max(1, Math.floor(d.size / 257));
      for (let at = d.offset; at < d.offset + d.size; at += step) expect(await flip(at), `object ${d.id} byte ${at}`).toBe('OBJECT_INTEGRITY');
      expect(await flip(d.offset + d.size - 1)).toBe('OBJECT_INTEGRITY');
    }
  });

  it('alignment padding between objects is not covered', async () => {
    const img = await loadImage(new BytesStore(original.slice()));
    const [a, b] = [img.get(2), img.get(3)];
    expect(b.offset - (a.offset + a.size)).toBeGreaterThan(0);
    for (let at = a.offset + a.size; at < b.offset; at += 97) expect(await flip(at)).toBe('verified');
  });

  it('signature bytes: the JSON and the signature packet are covered by the signature itself', async () => {
    const img = await loadImage(new BytesStore(original.slice()));
    const sig = img.get(4);
    const text = new TextDecoder().decode(await img.read(sig));
    const json = text.indexOf('{"version"');
    const body = text.indexOf('-----BEGIN PGP SIGNATURE-----') + 32;
    for (let k = 0; k < 40; k++) {
      expect(await flip(sig.offset + json + k * 7)).not.toBe('verified');
      expect(await flip(sig.offset + body + k * 11)).not.toBe('verified');
    }
  });
});
