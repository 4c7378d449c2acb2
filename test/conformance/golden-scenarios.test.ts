// The reference's pkg/sif golden scenarios (sylabs/sif v2.24.1, pkg/sif/testdata): every image is built
// in memory with sifkit's create/add/delete/set functions and must equal the reference's bytes exactly.
// Failure scenarios must leave the image byte-identical to before the failed call (their goldens are the
// unchanged image).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BytesStore,
  DataType,
  FSType,
  PartType,
  addObject,
  createImage,
  deleteObject,
  deleteObjects,
  encodeOCIDigest,
  isSifError,
  setMetadata,
  setOCIBlobDigest,
  setPrimaryPartition,
  type CreateOptions,
  type ObjectInput,
  type SifImage,
} from '../../src/index.js';
import { referenceFixtures } from '../helpers/paths.js';

const REF = referenceFixtures();
const REF_SIF = join(REF, 'sylabs-sif');

const golden = (test: string, name: string): Uint8Array =>
  new Uint8Array(readFileSync(join(REF_SIF, 'pkg/sif/testdata', test, `${name}.golden`)));

const T2000 = 946702800;
const ID = 'de170c43-36ab-44a8-bca9-1ea1a070a274';
const generic = (data: number[] | string, extra: Partial<ObjectInput> = {}): ObjectInput => ({
  dataType: DataType.Generic,
  data: typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data),
  ...extra,
});
const part = (data: number[], partType: number, arch: string, fsType: number = FSType.Squash, extra: Partial<ObjectInput> = {}): ObjectInput => ({
  dataType: DataType.Partition,
  data: new Uint8Array(data),
  partition: { fsType, partType, arch },
  ...extra,
});
const ociBlob = (data: number[]): ObjectInput => ({ dataType: DataType.OCIBlob, data: new Uint8Array(data) });

async function build(opts: CreateOptions): Promise<{ store: BytesStore; img: SifImage }> {
  const store = new BytesStore();
  const img = await createImage(store, opts);
  return { store, img };
}

const det: CreateOptions = { deterministic: true };
const twoGeneric: CreateOptions = { deterministic: true, objects: [generic([0xfa, 0xce]), generic([0xfe, 0xed])] };

describe('pkg/sif golden scenarios (v2.24.1)', () => {
  describe('TestCreateContainer', () => {
    const cases: [string, CreateOptions][] = [
      ['Empty', det],
      ['EmptyLaunchScript', { ...det, launchScript: '#!/usr/bin/env launch-script\n' }],
      ['EmptyWithID', { ...det, id: ID }],
      ['EmptyWithTime', { ...det, time: T2000 }],
      ['EmptyCloseOnUnload', det],
      ['EmptyDescriptorLimitedCapacity', { ...det, capacity: 1 }],
      ['OneDescriptor', { ...det, objects: [generic([0xfa, 0xce])] }],
      ['TwoDescriptors', { ...det, objects: [generic([0xfa, 0xce]), part([0xfe, 0xed], PartType.PrimSys, '386')] }],
      [
        'TwoDescriptorsNotAligned',
        { ...det, objects: [generic([0xfa, 0xce], { alignment: 0 }), part([0xfe, 0xed], PartType.PrimSys, '386', FSType.Squash, { alignment: 0 })] },
      ],
      [
        'TwoDescriptorsAligned',
        { ...det, objects: [generic([0xfa, 0xce], { alignment: 4 }), part([0xfe, 0xed], PartType.PrimSys, '386', FSType.Squash, { alignment: 4 })] },
      ],
    ];
    for (const [name, opts] of cases) {
      it(name, async () => {
        const { store } = await build(opts);
        expect(store.bytes()).toEqual(golden('TestCreateContainer', name));
      });
    }
    it('ErrInsufficientCapacity', async () => {
      await expect(build({ ...det, capacity: 0, objects: [generic([0xfa, 0xce])] })).rejects.toMatchObject({
        code: 'INSUFFICIENT_CAPACITY',
      });
    });
  });

  describe('TestAddObject', () => {
    const cases: [string, CreateOptions, ObjectInput, Parameters<typeof addObject>[2]?][] = [
      ['Deterministic', { id: ID, time: T2000 }, generic([0xfa, 0xce]), { deterministic: true }],
      ['WithTime', det, generic([0xfa, 0xce]), { time: T2000 }],
      ['Empty', det, generic([0xfa, 0xce])],
      ['EmptyNotAligned', det, generic([0xfa, 0xce], { alignment: 0 })],
      ['EmptyAligned', det, generic([0xfa, 0xce], { alignment: 128 })],
      ['NotEmpty', { ...det, objects: [generic([0xfa, 0xce])] }, part([0xfe, 0xed], PartType.PrimSys, '386')],
      ['NotEmptyNotAligned', { ...det, objects: [generic([0xfa, 0xce])] }, part([0xfe, 0xed], PartType.PrimSys, '386', FSType.Squash, { alignment: 0 })],
      ['NotEmptyAligned', { ...det, objects: [generic([0xfa, 0xce])] }, part([0xfe, 0xed], PartType.PrimSys, '386', FSType.Squash, { alignment: 128 })],
    ];
    for (const [name, c, input, opts] of cases) {
      it(name, async () => {
        const { store, img } = await build(c);
        await addObject(img, input, opts);
        expect(store.bytes()).toEqual(golden('TestAddObject', name));
      });
    }
    it('ErrInsufficientCapacity leaves the image unchanged', async () => {
      const { store, img } = await build({ ...det, capacity: 0 });
      await expect(addObject(img, generic([0xfe, 0xed]))).rejects.toMatchObject({ code: 'INSUFFICIENT_CAPACITY' });
      expect(store.bytes()).toEqual(golden('TestAddObject', 'ErrInsufficientCapacity'));
    });
    it('ErrPrimaryPartition leaves the image unchanged', async () => {
      const { store, img } = await build({ ...det, objects: [part([0xfa, 0xce], PartType.PrimSys, '386')] });
      await expect(addObject(img, part([0xfe, 0xed], PartType.PrimSys, 'amd64'))).rejects.toMatchObject({
        code: 'PRIMARY_PARTITION_EXISTS',
      });
      expect(store.bytes()).toEqual(golden('TestAddObject', 'ErrPrimaryPartition'));
    });
  });

  describe('TestDeleteObject', () => {
    const cases: [string, CreateOptions, number[], Parameters<typeof deleteObject>[2]?][] = [
      ['Compact', twoGeneric, [1, 2], { compact: true }],
      ['OneZero', twoGeneric, [1], { zero: true }],
      ['OneCompact', twoGeneric, [1], { compact: true }],
      ['OneZeroCompact', twoGeneric, [1], { zero: true, compact: true }],
      ['TwoZero', twoGeneric, [2], { zero: true }],
      ['TwoCompact', twoGeneric, [2], { compact: true }],
      ['TwoZeroCompact', twoGeneric, [2], { zero: true, compact: true }],
      ['Deterministic', { id: ID, time: T2000, objects: [generic([0xfa, 0xce])] }, [1], { deterministic: true }],
      ['WithTime', { ...det, objects: [generic([0xfa, 0xce])] }, [1], { time: T2000 }],
      ['PrimaryPartition', { ...det, objects: [part([0xfa, 0xce], PartType.PrimSys, '386')] }, [1]],
    ];
    for (const [name, c, ids, opts] of cases) {
      it(name, async () => {
        const { store, img } = await build(c);
        for (const id of ids) await deleteObject(img, id, opts);
        expect(store.bytes()).toEqual(golden('TestDeleteObject', name));
      });
    }
    it('ErrObjectNotFound', async () => {
      const { store, img } = await build(det);
      await expect(deleteObject(img, 1)).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
      expect(store.bytes()).toEqual(golden('TestDeleteObject', 'ErrObjectNotFound'));
    });
  });

  describe('TestDeleteObjects', () => {
    it('DataType', async () => {
      const { store, img } = await build(twoGeneric);
      await deleteObjects(img, (d) => d.dataType === DataType.Generic);
      expect(store.bytes()).toEqual(golden('TestDeleteObjects', 'DataType'));
    });
    it('DataTypeCompact', async () => {
      const { store, img } = await build(twoGeneric);
      await deleteObjects(img, (d) => d.dataType === DataType.Generic, { compact: true });
      expect(store.bytes()).toEqual(golden('TestDeleteObjects', 'DataTypeCompact'));
    });
    it('PrimaryPartitionCompact', async () => {
      const { store, img } = await build({ ...det, objects: [part([0xfa, 0xce], PartType.PrimSys, '386')] });
      await deleteObjects(img, (d) => d.dataType === DataType.Partition, { compact: true });
      expect(store.bytes()).toEqual(golden('TestDeleteObjects', 'PrimaryPartitionCompact'));
    });
  });

  describe('TestDeleteObjectAndAddObject', () => {
    const cases: [string, Parameters<typeof deleteObject>[2]][] = [
      ['Compact', { compact: true }],
      ['NoCompact', {}],
      ['Zero', { zero: true }],
      ['ZeroCompact', { zero: true, compact: true }],
    ];
    for (const [name, opts] of cases) {
      it(name, async () => {
        const { store, img } = await build({ ...det, objects: [generic('abc'), generic('def')] });
        await deleteObject(img, 2, opts);
        await addObject(img, generic('ghi'));
        expect(store.bytes()).toEqual(golden('TestDeleteObjectAndAddObject', name));
      });
    }
  });

  describe('TestSetPrimPart', () => {
    const twoParts: CreateOptions = {
      ...det,
      objects: [part([0xfa, 0xce], PartType.PrimSys, '386', FSType.Raw), part([0xfe, 0xed], PartType.System, 'amd64', FSType.Raw)],
    };
    const cases: [string, CreateOptions, number, Parameters<typeof setPrimaryPartition>[2]?][] = [
      ['Deterministic', { id: ID, time: T2000, objects: [part([0xfa, 0xce], PartType.System, '386', FSType.Raw)] }, 1, { deterministic: true }],
      ['WithTime', twoParts, 2, { time: T2000 }],
      ['One', { ...det, objects: [part([0xfa, 0xce], PartType.System, '386', FSType.Raw)] }, 1],
      ['Two', twoParts, 2],
    ];
    for (const [name, c, id, opts] of cases) {
      it(name, async () => {
        const { store, img } = await build(c);
        await setPrimaryPartition(img, id, opts);
        expect(store.bytes()).toEqual(golden('TestSetPrimPart', name));
      });
    }
    it('ErrObjectNotFound', async () => {
      const { store, img } = await build(det);
      await expect(setPrimaryPartition(img, 1)).rejects.toSatisfy((e) => isSifError(e, 'NO_OBJECTS', 'OBJECT_NOT_FOUND'));
      expect(store.bytes()).toEqual(golden('TestSetPrimPart', 'ErrObjectNotFound'));
    });
  });

  describe('TestSetMetadata', () => {
    // The reference sets a fresh OCI digest metadata: the SHA-256 of no bytes.
    const emptyDigest = encodeOCIDigest('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const cases: [string, CreateOptions, number, Parameters<typeof setMetadata>[3]?][] = [
      ['Deterministic', { id: ID, time: T2000, objects: [ociBlob([0xfa, 0xce])] }, 1, { deterministic: true }],
      ['WithTime', { ...det, objects: [ociBlob([0xfa, 0xce])] }, 1, { time: T2000 }],
      ['One', { ...det, objects: [ociBlob([0xfa, 0xce])] }, 1],
      ['Two', { ...det, objects: [ociBlob([0xfa, 0xce]), ociBlob([0xfe, 0xed])] }, 2],
    ];
    for (const [name, c, id, opts] of cases) {
      it(name, async () => {
        const { store, img } = await build(c);
        await setMetadata(img, id, emptyDigest, opts);
        expect(store.bytes()).toEqual(golden('TestSetMetadata', name));
      });
    }
  });

  describe('TestFileImage_SetOCIBlobDigest', () => {
    const hex = '93a6ab73f77ce27501f74bb35af9b4da5b964c62f96175a1bc0e8ba2ae0dec08';
    const cases: [string, CreateOptions, number, Parameters<typeof setOCIBlobDigest>[3]?][] = [
      ['Deterministic', { id: ID, time: T2000, objects: [ociBlob([0xfa, 0xce])] }, 1, { deterministic: true }],
      ['WithTime', { ...det, objects: [ociBlob([0xfa, 0xce])] }, 1, { time: T2000 }],
      ['One', { ...det, objects: [ociBlob([0xfa, 0xce])] }, 1],
      ['Two', { ...det, objects: [ociBlob([0xfa, 0xce]), ociBlob([0xfe, 0xed])] }, 2],
    ];
    for (const [name, c, id, opts] of cases) {
      it(name, async () => {
        const { store, img } = await build(c);
        await setOCIBlobDigest(img, id, hex, opts);
        expect(store.bytes()).toEqual(golden('TestFileImage_SetOCIBlobDigest', name));
      });
    }
    it('UnexpectedDataType', async () => {
      const { img } = await build({ ...det, objects: [generic([0xfa, 0xce])] });
      await expect(setOCIBlobDigest(img, 1, hex)).rejects.toMatchObject({ code: 'UNEXPECTED_DATA_TYPE' });
    });
  });
});
