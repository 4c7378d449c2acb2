// Issue points 7 and 8: one error family — a missing file, a directory, an edit of a read-only image, a
// Uint8Array or Blob given to loadImage, a whole read of a huge object — each a typed SifError.
import { mkdtempSync, rmSync, copyFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addObject, DataType, isSifError, loadImage, ObjectDescriptor, openImage, MAX_WHOLE_READ } from '../../src/node.js';
import { emptyDescriptor, GROUP_MASK } from '../../src/format/descriptor.js';
import { TESTDATA } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-errfam-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('point 7', () => {
  it('openImage of a missing file and of a directory: SifError IO_ERROR naming the path', async () => {
    await expect(openImage(join(dir, 'missing.sif'))).rejects.toSatisfy((e) => isSifError(e, 'IO_ERROR') && /missing\.sif: no such file or directory/.test((e as Error).message));
    await expect(openImage(dir)).rejects.toSatisfy((e) => isSifError(e, 'IO_ERROR') && /is a directory/.test((e as Error).message));
  });
  it('an edit of an image opened read-only is READ_ONLY, not a raw EBADF', async () => {
    const p = join(dir, 'ro.sif');
    copyFileSync(join(TESTDATA, 'images/sample.sif'), p);
    const img = await openImage(p);
    try {
      await expect(addObject(img, { dataType: DataType.Generic, data: new Uint8Array(4) })).rejects.toSatisfy((e) => isSifError(e, 'READ_ONLY'));
    } finally {
      await img.close();
    }
  });
  it('loadImage takes a Uint8Array or a Blob directly; anything else is INVALID_ARGUMENT', async () => {
    const bytes = new Uint8Array(readFileSync(join(TESTDATA, 'images/sample.sif')));
    expect((await loadImage(bytes)).objects().length).toBe(3);
    expect((await loadImage(new Blob([bytes]))).objects().length).toBe(3);
    await expect(loadImage(new Uint8Array(10))).rejects.toSatisfy((e) => isSifError(e, 'TRUNCATED'));
    await expect(loadImage('image.sif' as never)).rejects.toSatisfy((e) => isSifError(e, 'INVALID_ARGUMENT'));
  });
});

describe('point 8', () => {
  it('img.read of an object past the whole-read limit is TOO_LARGE, pointing at chunks()', async () => {
    const img = await loadImage(new Uint8Array(readFileSync(join(TESTDATA, 'images/sample.sif'))));
    const huge = new ObjectDescriptor({ ...emptyDescriptor(), used: true, id: 9, dataType: DataType.Generic, groupId: (1 | GROUP_MASK) >>> 0, offset: 0, size: 3 * 2 ** 30 }, 8, 0);
    expect(huge.size).toBeGreaterThan(MAX_WHOLE_READ);
    await expect(img.read(huge)).rejects.toSatisfy((e) => isSifError(e, 'TOO_LARGE') && /chunks\(\)/.test((e as Error).message));
  });
});
