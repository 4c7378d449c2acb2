/**
 * The crash-safety log kept beside an image during an edit (`<image>.sifkit-journal`), and recovery
 * from it. Layout: `SIFKITJ1`, original size (int64 LE), then records: `U` offset (int64) length
 * (uint32) bytes — original bytes about to be overwritten — and `C` final size (int64, -1 = none) —
 * the commit mark. Every record is fsynced before the image is touched.
 *
 * @module
 */
import { rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { open } from 'node:fs/promises';
import { sifError } from '../errors.js';
import type { DurableLog } from '../image/journal.js';
import { FileStore } from './node.js';

const MAGIC = new TextEncoder().encode('SIFKITJ1');

/**
 * The journal path of an image.
 *
 * @param imagePath - the image
 * @returns `<image>.sifkit-journal`
 */
export function journalPath(imagePath: string): string {
  return `${imagePath}.sifkit-journal`;
}

async function syncDir(path: string): Promise<void> {
  const d = await open(dirname(path), 'r').catch(() => undefined);
  await d?.sync().catch(() => undefined);
  await d?.close();
}

/**
 * A durable log in a file beside the image.
 *
 * @param imagePath - the image being edited
 * @returns the log
 */
export function fileJournal(imagePath: string): DurableLog {
  const path = journalPath(imagePath);
  let store: FileStore | undefined;
  let end = 0;
  const append = async (bytes: Uint8Array): Promise<void> => {
    await store!.write(end, bytes);
    end += bytes.length;
    await store!.sync();
  };
  return {
    async begin(originalSize) {
      store = await FileStore.open(path, 'wx+');
      const head = new Uint8Array(16);
      head.set(MAGIC);
      new DataView(head.buffer).setBigInt64(8, BigInt(originalSize), true);
      await append(head);
      await syncDir(path);
    },
    async record(offset, data) {
      const rec = new Uint8Array(13 + data.length);
      const v = new DataView(rec.buffer);
      rec[0] = 0x55; // 'U'
      v.setBigInt64(1, BigInt(offset), true);
      v.setUint32(9, data.length, true);
      rec.set(data, 13);
      const at = end + 13;
      await append(rec);
      return at;
    },
    async read(at, length) {
      return store!.read(at, length);
    },
    async commit(finalSize) {
      const rec = new Uint8Array(9);
      rec[0] = 0x43; // 'C'
      new DataView(rec.buffer).setBigInt64(1, BigInt(finalSize), true);
      await append(rec);
    },
    async finish() {
      await store?.close();
      store = undefined;
      await rm(path, { force: true });
      await syncDir(path);
    },
  };
}

/** What recovery did. */
export type Recovery = 'none' | 'rolled-back' | 'completed';

/**
 * Finishes or undoes an edit that was interrupted (the process killed, the machine down): if a
 * journal is beside the image, an uncommitted edit is rolled back to the original bytes and size, a
 * committed one gets its pending cut. Then the journal is removed.
 *
 * @param imagePath - the image
 * @returns what was done
 */
export async function recoverImage(imagePath: string): Promise<Recovery> {
  const path = journalPath(imagePath);
  const st = await stat(path).catch(() => undefined);
  if (!st) return 'none';
  const log = await FileStore.open(path, 'r');
  let bytes: Uint8Array;
  try {
    bytes = await log.read(0, log.size);
  } finally {
    await log.close();
  }
  if (bytes.length < 16 || !MAGIC.every((b, i) => bytes[i] === b)) {
    // The log was not even begun durably: nothing of the image was touched yet.
    await rm(path, { force: true });
    return 'none';
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const originalSize = Number(v.getBigInt64(8, true));
  const undo: { offset: number; data: Uint8Array }[] = [];
  let committed: number | undefined;
  for (let p = 16; p < bytes.length; ) {
    if (bytes[p] === 0x55 && p + 13 <= bytes.length) {
      const offset = Number(v.getBigInt64(p + 1, true));
      const len = v.getUint32(p + 9, true);
      if (p + 13 + len > bytes.length) break; // torn record: its write never happened
      undo.push({ offset, data: bytes.subarray(p + 13, p + 13 + len) });
      p += 13 + len;
    } else if (bytes[p] === 0x43 && p + 9 <= bytes.length) {
      committed = Number(v.getBigInt64(p + 1, true));
      break;
    } else break;
  }
  let image: FileStore;
  try {
    image = await FileStore.open(imagePath, 'r+');
  } catch (e) {
    throw sifError('IO_ERROR', `${imagePath}: an interrupted edit needs recovery (${path}), but the image cannot be opened for writing`, { cause: e });
  }
  try {
    if (committed !== undefined) {
      if (committed >= 0 && image.size !== committed) await image.truncate(committed);
    } else {
      for (let i = undo.length - 1; i >= 0; i--) await image.write(undo[i]!.offset, undo[i]!.data);
      if (image.size !== originalSize) await image.truncate(originalSize);
    }
    await image.sync();
  } finally {
    await image.close();
  }
  await rm(path, { force: true });
  await syncDir(path);
  return committed !== undefined ? 'completed' : 'rolled-back';
}
