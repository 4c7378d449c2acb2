// Crafts crash journals byte by byte from the documented layout (src/io/durable.ts), for attacks:
// a test encodes the format independently of the writer, so a planted journal can be perfect in
// every respect but the one under test.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { FileStore } from '../../src/io/node.js';
import { structureDigest, zeroFillReader } from '../../src/image/identity.js';

const check = (prev: Uint8Array | undefined, ...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  if (prev) h.update(prev);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest().subarray(0, 16));
};

/** What goes into a crafted journal. */
export interface JournalSpec {
  dev: bigint;
  ino: bigint;
  originalSize: number;
  structure: Uint8Array;
  records?: { offset: number; data: Uint8Array }[];
  commit?: { finalSize: number; structure: Uint8Array };
}

/** Encodes a version-2 journal. */
export function craftJournal(spec: JournalSpec): Uint8Array {
  const parts: Uint8Array[] = [];
  const head = new Uint8Array(64);
  head.set(new TextEncoder().encode('SIFKITJ2'));
  const v = new DataView(head.buffer);
  v.setBigUint64(8, spec.dev, true);
  v.setBigUint64(16, spec.ino, true);
  v.setBigInt64(24, BigInt(spec.originalSize), true);
  head.set(spec.structure, 32);
  let c = check(undefined, head);
  parts.push(head, c);
  for (const r of spec.records ?? []) {
    const rh = new Uint8Array(13);
    rh[0] = 0x55;
    const rv = new DataView(rh.buffer);
    rv.setBigInt64(1, BigInt(r.offset), true);
    rv.setUint32(9, r.data.length, true);
    c = check(c, rh, r.data);
    parts.push(rh, r.data, c);
  }
  if (spec.commit) {
    const rec = new Uint8Array(41);
    rec[0] = 0x43;
    new DataView(rec.buffer).setBigInt64(1, BigInt(spec.commit.finalSize), true);
    rec.set(spec.commit.structure, 9);
    c = check(c, rec);
    parts.push(rec, c);
  }
  return Buffer.concat(parts);
}

/** The identity fields of an image file as a journal for it must carry. */
export async function imageIdentity(path: string): Promise<Pick<JournalSpec, 'dev' | 'ino' | 'originalSize' | 'structure'>> {
  const st = statSync(path, { bigint: true });
  const store = await FileStore.open(path, 'r');
  try {
    return { dev: st.dev, ino: st.ino, originalSize: store.size, structure: await structureDigest(zeroFillReader(store), store.size) };
  } finally {
    await store.close();
  }
}

/** The old (version 1) journal a planted-file attack used: `SIFKITJ1`, an original size, records. */
export function craftV1Journal(originalSize: bigint, records: { offset: bigint; data: Uint8Array }[] = []): Uint8Array {
  const head = new Uint8Array(16);
  head.set(new TextEncoder().encode('SIFKITJ1'));
  new DataView(head.buffer).setBigInt64(8, originalSize, true);
  const parts: Uint8Array[] = [head];
  for (const r of records) {
    const rh = new Uint8Array(13);
    rh[0] = 0x55;
    const rv = new DataView(rh.buffer);
    rv.setBigInt64(1, r.offset, true);
    rv.setUint32(9, r.data.length, true);
    parts.push(rh, r.data);
  }
  return Buffer.concat(parts);
}
