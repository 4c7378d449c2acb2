// Hostile and broken images: each gets a typed SifError with a stable code and a message naming the
// field or object; never a crash, a hang, or an allocation beyond the input's size.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SifError } from '../../src/errors.js';
import { BytesStore } from '../../src/io/source.js';
import { loadImage } from '../../src/image/image.js';
import { DESCRIPTOR_SIZE } from '../../src/format/descriptor.js';
import { TESTDATA } from '../helpers/paths.js';

const sample = new Uint8Array(readFileSync(join(TESTDATA, 'images/sample.sif')));
const TABLE = 4096;

function edit(f: (b: Uint8Array, v: DataView) => void, base = sample): Uint8Array {
  const b = base.slice();
  f(b, new DataView(b.buffer));
  return b;
}

async function loadError(bytes: Uint8Array): Promise<SifError> {
  try {
    await loadImage(new BytesStore(bytes));
  } catch (e) {
    expect(e).toBeInstanceOf(SifError);
    return e as SifError;
  }
  throw new Error('expected a load error');
}

describe('load rejects malformed images with typed errors', () => {
  it('empty and short files', async () => {
    expect((await loadError(new Uint8Array())).code).toBe('TRUNCATED');
    expect((await loadError(sample.slice(0, 127))).code).toBe('TRUNCATED');
  });
  it('wrong magic', async () => {
    const e = await loadError(edit((b) => (b[33] = 0x58)));
    expect(e).toMatchObject({ code: 'BAD_MAGIC', message: 'invalid SIF magic' });
  });
  it('wrong version', async () => {
    const e = await loadError(edit((b) => (b[43] = 0x32)));
    expect(e).toMatchObject({ code: 'BAD_VERSION', message: 'incompatible SIF version' });
  });
  it('descriptor table cut short', async () => {
    const e = await loadError(sample.slice(0, TABLE + 100));
    expect(e.code).toBe('TRUNCATED');
    expect(e.message).toMatch(/descriptors/);
  });
  it('descriptor count larger than the file could hold (no huge allocation)', async () => {
    const e = await loadError(edit((_, v) => {
      v.setBigInt64(88, 1n << 40n, true);
      v.setBigInt64(104, (1n << 40n) * 585n, true);
    }));
    expect(['TRUNCATED', 'TOO_LARGE']).toContain(e.code);
  });
  it('descriptors size smaller than the count needs', async () => {
    expect((await loadError(edit((_, v) => v.setBigInt64(104, 10n, true)))).code).toBe('BAD_HEADER_FIELD');
  });
  it('negative and overflowing descriptor table fields', async () => {
    for (const at of [88, 96]) {
      const e = await loadError(edit((_, v) => v.setBigInt64(at, -1n, true)));
      expect(e.code, `offset ${at}`).toBe('BAD_HEADER_FIELD');
    }
    for (const at of [88, 96]) {
      const f = await loadError(edit((_, v) => v.setBigInt64(at, 1n << 62n, true)));
      expect(['BAD_HEADER_FIELD', 'TRUNCATED']).toContain(f.code);
    }
  });
  it('a descriptorsSize larger than the table, or negative, is accepted, as the reference reads only the table', async () => {
    for (const v of [1n << 62n, -1n, -(1n << 63n)]) {
      const img = await loadImage(new BytesStore(edit((_, view) => view.setBigInt64(104, v, true))));
      expect(img.objects(), String(v)).toHaveLength(3);
    }
  });
  it('object offset or size outside the file names the object', async () => {
    const e = await loadError(edit((_, v) => v.setBigInt64(TABLE + 2 * DESCRIPTOR_SIZE + 25, 1n << 30n, true)));
    expect(e).toMatchObject({ code: 'OUT_OF_BOUNDS', objectId: 3 });
    expect(e.message).toMatch(/^object 3: /);
    const g = await loadError(edit((_, v) => v.setBigInt64(TABLE + 17, BigInt(sample.length), true)));
    expect(g).toMatchObject({ code: 'OUT_OF_BOUNDS', objectId: 1 });
  });
  it('negative and overflowing object fields', async () => {
    const a = await loadError(edit((_, v) => v.setBigInt64(TABLE + 25, -5n, true)));
    expect(a).toMatchObject({ code: 'BAD_DESCRIPTOR_FIELD', objectId: 1 });
    const b = await loadError(edit((_, v) => v.setBigInt64(TABLE + 17, 0x7fffffffffffffffn, true)));
    expect(b).toMatchObject({ code: 'BAD_DESCRIPTOR_FIELD', objectId: 1 });
  });
  it('overlapping objects', async () => {
    const off = new DataView(sample.buffer, sample.byteOffset).getBigInt64(TABLE + 17, true);
    const e = await loadError(edit((_, v) => v.setBigInt64(TABLE + DESCRIPTOR_SIZE + 17, off, true)));
    expect(e.code).toBe('OVERLAPPING_OBJECTS');
    expect(e.message).toMatch(/object \d+: data overlaps object \d+/);
  });
  it('object data over the header or the descriptor table', async () => {
    const e = await loadError(edit((_, v) => v.setBigInt64(TABLE + 17, 4200n, true)));
    expect(e).toMatchObject({ code: 'OUT_OF_BOUNDS', objectId: 1 });
  });
  it('a 128-byte name without NUL is read like the reference reads it', async () => {
    const img = await loadImage(new BytesStore(edit((b) => b.fill(0x41, TABLE + 73, TABLE + 201))));
    expect(img.get(1).name).toBe('A'.repeat(128));
  });
  it('limits the descriptor count on request', async () => {
    const e = await (async () => {
      try {
        await loadImage(new BytesStore(sample.slice()), { maxDescriptors: 10 });
      } catch (err) {
        return err as SifError;
      }
      throw new Error('no error');
    })();
    expect(e.code).toBe('TOO_LARGE');
  });
});

describe('every truncation of a real image is handled', () => {
  it('load never throws anything but SifError', async () => {
    const img = new Uint8Array(readFileSync(join(TESTDATA, 'images/sample-signed.sif')));
    for (let n = 0; n <= img.length; n += 97) {
      try {
        const i = await loadImage(new BytesStore(img.slice(0, n)));
        for (const d of i.objects()) await i.read(d);
      } catch (e) {
        expect(e, `length ${n}`).toBeInstanceOf(SifError);
      }
    }
  });
});
