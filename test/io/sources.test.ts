// The three random-access sources read an image identically: Node file, Uint8Array, Blob.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlobSource, BytesStore, FileStore, loadImage, readChunks } from '../../src/node.js';
import { TESTDATA } from '../helpers/paths.js';

const path = join(TESTDATA, 'images/multi-signed.sif');
const bytes = new Uint8Array(readFileSync(path));

describe('sources', () => {
  it('file, bytes and Blob give the same objects and data', async () => {
    const sources = [await FileStore.open(path), new BytesStore(bytes.slice()), new BlobSource(new Blob([bytes]))];
    const views = [];
    for (const s of sources) {
      const img = await loadImage(s);
      const objs = [];
      for (const d of img.objects()) {
        const chunks = [];
        for await (const c of img.chunks(d, 1000)) chunks.push(...c);
        objs.push({ id: d.id, type: d.dataTypeName, data: Uint8Array.from(chunks) });
      }
      views.push(objs);
      await s.close();
    }
    expect(views[1]).toEqual(views[0]);
    expect(views[2]).toEqual(views[0]);
  });
  it('reads past the end are typed errors', async () => {
    const s = new BlobSource(new Blob([bytes]));
    await expect(s.read(bytes.length - 1, 2)).rejects.toMatchObject({ code: 'TRUNCATED' });
    const chunks = readChunks(new BytesStore(bytes), bytes.length, 1);
    await expect(chunks.next()).rejects.toMatchObject({ code: 'TRUNCATED' });
  });
});
