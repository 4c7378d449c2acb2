// Issue point 6: options objects are validated at the public boundary; unknown or ill-typed options
// are INVALID_ARGUMENT naming the function and the option, never ignored or reported as something else.
import { describe, expect, it } from 'vitest';
import { BytesStore, addObject, createImage, DataType, deleteObject, isSifError, loadImage, readPgpKeys, signedBy, verifyImage } from '../../src/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TESTDATA } from '../helpers/paths.js';

const invalid = (re: RegExp) => (e: unknown) => isSifError(e, 'INVALID_ARGUMENT') && re.test((e as Error).message);
const fresh = async () => createImage(new BytesStore(), { deterministic: true });

describe('addObject input and options', () => {
  it.each([
    [{ dataType: 99, data: new Uint8Array(1) }, /addObject: option "dataType" must be one of/],
    [{ dataType: '1', data: new Uint8Array(1) }, /option "dataType" must be one of/],
    [{ data: new Uint8Array(1) }, /input\.dataType is required/],
    [{ dataType: DataType.Generic, data: 'hello' }, /option "data" must be a Uint8Array, a ByteSource or an iterable/],
    [{ dataType: DataType.Generic, data: new Uint8Array(1), group: 2 ** 32 }, /option "group" must be an integer from 1 to 268435455/],
    [{ dataType: DataType.Generic, data: new Uint8Array(1), group: -1 }, /option "group" must be an integer/],
    [{ dataType: DataType.Generic, data: new Uint8Array(1), alignment: 3 }, /option "alignment" must be 0 or a power of two/],
    [{ dataType: DataType.Generic, data: new Uint8Array(1), alignment: -1 }, /option "alignment"/],
    [{ dataType: DataType.Generic, data: new Uint8Array(1), time: 'yesterday' }, /option "time" must be Unix seconds or a valid Date/],
    [{ dataType: DataType.Generic, data: new Uint8Array(1), gruop: 1 }, /unknown option "gruop"/],
  ])('%j', async (input, re) => {
    const img = await fresh();
    const before = (img.source as BytesStore).bytes().slice();
    await expect(addObject(img, input as never)).rejects.toSatisfy(invalid(re));
    expect((img.source as BytesStore).bytes()).toEqual(before);
  });
  it('edit options: unknown names and wrong types', async () => {
    const img = await fresh();
    await expect(addObject(img, { dataType: DataType.Generic, data: new Uint8Array(1) }, { determinstic: true } as never)).rejects.toSatisfy(invalid(/unknown option "determinstic"/));
    await expect(deleteObject(img, 1, { zero: 'yes' } as never)).rejects.toSatisfy(invalid(/option "zero" must be a boolean/));
  });
});

describe('verifyImage and friends', () => {
  const signed = new Uint8Array(readFileSync(join(TESTDATA, 'images/sample-signed.sif')));
  it('a misspelt selection option is an error, not ignored', async () => {
    const img = await loadImage(signed);
    await expect(verifyImage(img, { group: [1] } as never)).rejects.toSatisfy(invalid(/verifyImage: unknown option "group" \(did you mean "groups"\?\)/));
    await expect(signedBy(img, 'any', { object: [1] } as never)).rejects.toSatisfy(invalid(/unknown option "object"/));
  });
  it('onProgress: 5 is INVALID_ARGUMENT, not IO_ERROR', async () => {
    const img = await loadImage(signed);
    await expect(verifyImage(img, { onProgress: 5 } as never)).rejects.toSatisfy(invalid(/option "onProgress" must be a function/));
  });
  it('a plain array of keys is a keyring (readPgpKeys output, no hand-wrapping)', async () => {
    const img = await loadImage(signed);
    const keys = await readPgpKeys(new Uint8Array(readFileSync(join(TESTDATA, 'keys/sample-public.asc'))));
    expect((await verifyImage(img, { keyring: keys })).verified).toBe(true);
    await expect(verifyImage(img, { keyring: 'keys' } as never)).rejects.toSatisfy(invalid(/option "keyring" must be/));
  });
  it('createImage and loadImage options', async () => {
    await expect(createImage(new BytesStore(), { capacity: 1e9 })).rejects.toSatisfy(invalid(/capacity: 1000000000 descriptors not supported/));
    await expect(createImage(new BytesStore(), { launchscript: 'x' } as never)).rejects.toSatisfy(invalid(/unknown option "launchscript"/));
    await expect(loadImage(signed, { max: 1 } as never)).rejects.toSatisfy(invalid(/loadImage: unknown option "max"/));
  });
});
