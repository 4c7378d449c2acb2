// Property tests: create → add → load round-trips any sequence of objects; delete (with or without
// zero and compact) keeps every remaining object's bytes and metadata; a failed edit leaves the
// bytes exactly as they were.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BytesStore } from '../../src/io/source.js';
import { loadImage } from '../../src/image/image.js';
import { addObject, createImage, deleteObject, type ObjectInput } from '../../src/image/edit.js';
import { DataType, PartType, FSType } from '../../src/format/types.js';
import { readPartition } from '../../src/format/extras.js';
import type { ByteStore } from '../../src/io/source.js';

const objectArb: fc.Arbitrary<ObjectInput> = fc.oneof(
  fc.record({
    dataType: fc.constantFrom(DataType.Deffile, DataType.EnvVar, DataType.Labels, DataType.GenericJSON, DataType.Generic, DataType.OCIBlob),
    data: fc.uint8Array({ maxLength: 300 }),
    group: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
    name: fc.string({ maxLength: 40 }),
    alignment: fc.constantFrom(0, 1, 8, 512, 4096),
    time: fc.integer({ min: 0, max: 2 ** 31 }),
  }),
  fc.record({
    dataType: fc.constant(DataType.Partition),
    data: fc.uint8Array({ maxLength: 300 }),
    group: fc.integer({ min: 1, max: 3 }),
    partition: fc.record({
      fsType: fc.constantFrom(FSType.Squash, FSType.Ext3, FSType.Raw),
      partType: fc.constantFrom(PartType.System, PartType.Data, PartType.Overlay),
      arch: fc.constantFrom('386', 'amd64', 'arm64', 'riscv64', 'loong64'),
    }),
  }),
);

async function build(objects: ObjectInput[]): Promise<{ store: BytesStore; ids: number[] }> {
  const store = new BytesStore();
  const img = await createImage(store, { deterministic: true, capacity: objects.length + 2 });
  const ids: number[] = [];
  for (const o of objects) ids.push((await addObject(img, o)).id);
  return { store, ids };
}

describe('properties', () => {
  it('create → add → load round-trips objects', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(objectArb, { maxLength: 8 }), async (objects) => {
        const { store, ids } = await build(objects);
        const img = await loadImage(new BytesStore(store.bytes().slice()));
        expect(img.objects().map((d) => d.id)).toEqual(ids);
        for (const [i, o] of objects.entries()) {
          const d = img.get(ids[i]!);
          expect(d.dataType).toBe(o.dataType);
          expect(await img.read(d)).toEqual(o.data);
          expect(d.groupId).toBe(o.group === null ? 0 : (o.group ?? 1));
          if (o.name !== undefined) expect(d.name).toBe(o.name.replace(/\0+$/, ''));
          if (o.alignment) expect(d.offset % o.alignment).toBe(0);
          if (o.partition) expect(readPartition(d.raw)).toMatchObject({ fsType: o.partition.fsType, partType: o.partition.partType, arch: o.partition.arch });
        }
      }),
      { numRuns: 60 },
    );
  });

  it('delete (zero, compact) keeps every other object intact', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(objectArb, { minLength: 1, maxLength: 7 }),
        fc.nat(),
        fc.boolean(),
        fc.boolean(),
        async (objects, pick, zero, compact) => {
          const { store, ids } = await build(objects);
          const before = await loadImage(new BytesStore(store.bytes().slice()));
          const victim = ids[pick % ids.length]!;
          const img = await loadImage(store);
          await deleteObject(img, victim, { zero, compact });
          const after = await loadImage(new BytesStore(store.bytes().slice()));
          for (const d of before.objects()) {
            if (d.id === victim) {
              expect(() => after.get(d.id)).toThrow();
              continue;
            }
            const a = after.get(d.id);
            expect(a.raw).toEqual(d.raw);
            expect(await after.read(a)).toEqual(await before.read(d));
          }
          expect(after.header.descriptorsFree).toBe(before.header.descriptorsFree + 1);
          if (compact) {
            const end = Math.max(after.header.dataOffset, ...after.objects().map((d) => d.offset + d.size));
            expect(store.size).toBe(end);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a write that fails part-way leaves every byte as it was', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(objectArb, { minLength: 1, maxLength: 5 }), objectArb, fc.nat({ max: 6 }), async (objects, extra, failAt) => {
        const { store } = await build(objects);
        const original = store.bytes().slice();
        let writes = 0;
        const faulty: ByteStore = {
          get size() {
            return store.size;
          },
          read: (o, l) => store.read(o, l),
          readInto: (b, o) => store.readInto(b, o),
          write: async (o, d) => {
            if (writes++ === failAt) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
            await store.write(o, d);
          },
          truncate: (n) => store.truncate(n),
          sync: () => store.sync(),
          close: () => store.close(),
        };
        const img = await loadImage(faulty);
        let failed = false;
        try {
          await addObject(img, extra);
        } catch {
          failed = true;
        }
        if (failed) expect(store.bytes()).toEqual(original);
        else expect(store.bytes().length).toBeGreaterThanOrEqual(original.length);
      }),
      { numRuns: 60 },
    );
  });
});
