// The fuzz properties, shared by the quick run in `npm test` and `npm run fuzz`.
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { SifError } from '../../src/errors.js';
import { BytesStore } from '../../src/io/source.js';
import { loadImage, type SifImage } from '../../src/image/image.js';
import { verifyImage, type VerifyOptions } from '../../src/integrity/verify.js';
import { formatHeader, formatInfo, formatList } from '../../src/cli/siftool-format.js';
import { descriptorIntegrityBytes } from '../../src/format/descriptor.js';
import { headerIntegrityBytes } from '../../src/format/header.js';
import { DataType } from '../../src/format/types.js';
import { readPgpKeys } from '../../src/keys/pgp.js';
import { readPemPublicKey } from '../../src/keys/pem.js';
import { referenceFixtures, TESTDATA } from '../helpers/paths.js';
import { apply, mutationArb, type Mutation } from './mutate.js';

/** A base image with the keys that verify it. */
export interface Corpus {
  name: string;
  bytes: Uint8Array;
  opts: VerifyOptions;
  sigs: [number, number][];
  keyFile: string;
}

/** Real images: the project's signed images, and the reference's when the shared fixtures are here. */
/**
 * The images to mutate: the project's signed images, and with `withReference` the sylabs/sif v2.24.1
 * signed images from $SIFKIT_REFERENCE_FIXTURES.
 */
export async function corpus(withReference = false): Promise<Corpus[]> {
  const sample = await readPgpKeys(new Uint8Array(readFileSync(join(TESTDATA, 'keys/sample-public.asc'))));
  const out: Corpus[] = [];
  const add = async (name: string, path: string, opts: VerifyOptions, keyFile: string): Promise<void> => {
    const bytes = new Uint8Array(readFileSync(path));
    const img = await loadImage(new BytesStore(bytes.slice()));
    const sigs = img.objects().filter((d) => d.dataType === DataType.Signature).map((d) => [d.offset, d.size] as [number, number]);
    out.push({ name, bytes, opts, sigs, keyFile });
  };
  const keyring = { entries: sample.map((key) => ({ key, source: 'local' as const })) };
  for (const f of readdirSync(join(TESTDATA, 'images')).filter((n) => n.includes('signed'))) {
    await add(f, join(TESTDATA, 'images', f), { keyring }, join(TESTDATA, 'keys/sample-public.asc'));
  }
  if (withReference) {
    const REF_SIF = join(referenceFixtures(), 'sylabs-sif');
    const ref = await readPgpKeys(new Uint8Array(readFileSync(join(REF_SIF, 'test/keys/private.asc'))));
    const refRing = { entries: ref.map((key) => ({ key: key.toPublic(), source: 'local' as const })) };
    const dsseKeys = [await readPemPublicKey(new Uint8Array(readFileSync(join(REF_SIF, 'test/keys/ed25519-public.pem'))))];
    for (const n of ['one-group-signed-pgp', 'two-groups-signed-pgp']) {
      await add(n, join(REF_SIF, 'test/images', `${n}.sif`), { keyring: refRing }, join(REF_SIF, 'test/keys/private.asc'));
    }
    await add('one-group-signed-dsse', join(REF_SIF, 'test/images/one-group-signed-dsse.sif'), { dsseKeys }, '');
  }
  return out;
}

const eq = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Runs the image through everything a user can do to it; returns the verdict. Throws only on a
 * property violation (an untyped exception, a verification that is not backed by the original bytes).
 */
export async function exercise(original: SifImage, bytes: Uint8Array, opts: VerifyOptions): Promise<{ verified: boolean; loadError?: string; ids?: number[] }> {
  let img: SifImage;
  try {
    img = await loadImage(new BytesStore(bytes));
  } catch (e) {
    expect(e, 'load threw a non-SifError').toBeInstanceOf(SifError);
    return { verified: false, loadError: (e as SifError).code };
  }
  for (const f of [() => formatHeader(img), () => formatList(img)]) f();
  for (const d of img.objects().slice(0, 20)) {
    try {
      formatInfo(d);
      await img.read(d);
    } catch (e) {
      expect(e, 'info/read threw a non-SifError').toBeInstanceOf(SifError);
    }
  }
  const rep = await verifyImage(img, opts);
  for (const e of rep.errors) expect(e).toBeInstanceOf(SifError);
  if (rep.verified) {
    // Security: every verified object's covered bytes equal those of the same object in the original.
    expect(eq(headerIntegrityBytes(img.header), headerIntegrityBytes(original.header)), 'verified with a changed header').toBe(true);
    for (const r of rep.results) {
      for (const d of r.verified) {
        // IDs and groups are not covered (the signature covers relative IDs): the verified object must
        // equal, in every covered byte, some object of the original image.
        const dd = descriptorIntegrityBytes(d.raw, d.relativeId, d.bytes);
        const data = await img.read(d);
        let match = false;
        for (const o of original.objects()) {
          if (eq(dd, descriptorIntegrityBytes(o.raw, o.relativeId, o.bytes)) && eq(data, await original.read(o))) match = true;
        }
        expect(match, `verified object ${d.id} matches no original object in its covered bytes`).toBe(true);
      }
    }
  }
  return { verified: rep.verified, ids: rep.results.flatMap((r) => r.verified.map((d) => d.id)) };
}

/** The property over a corpus: fast-check mutations, typed errors only, bounded time per image. */
export function fuzzProperty(items: Corpus[], perIterationMs: number, onRun?: (c: Corpus, m: Mutation, bytes: Uint8Array, verdict: Awaited<ReturnType<typeof exercise>>) => Promise<void>): fc.IAsyncPropertyWithHooks<[[number, Mutation]]> {
  const originals = new Map<string, SifImage>();
  const arb = fc.nat({ max: items.length - 1 }).chain((i) => fc.tuple(fc.constant(i), mutationArb(items[i]!.bytes.length, items[i]!.sigs)));
  return fc.asyncProperty(arb, async ([i, m]) => {
    const c = items[i]!;
    let original = originals.get(c.name);
    if (!original) {
      original = await loadImage(new BytesStore(c.bytes.slice()));
      originals.set(c.name, original);
    }
    const bytes = apply(c.bytes, m);
    const t0 = performance.now();
    const verdict = await exercise(original, bytes, c.opts);
    const ms = performance.now() - t0;
    expect(ms, `took ${ms.toFixed(0)} ms: a hang?`).toBeLessThan(perIterationMs);
    await onRun?.(c, m, bytes, verdict);
  });
}
