/**
 * The crash journal kept beside an image during an edit (`<image>.sifkit-journal`): the format and
 * its writer. Recovery (reading, authenticating, applying) is in `recovery.ts`.
 *
 * Layout, all integers little-endian:
 * - header: `SIFKITJ2`, device (u64) and inode (u64) of the image, original size (i64), SHA-256 of
 *   the image's header and descriptor table before the edit (32 bytes), check (16 bytes);
 * - `U` records: offset (i64), length (u32), the original bytes about to be overwritten, check;
 * - one `C` record, the commit mark: final size (i64, -1 = no cut), SHA-256 of the edited header and
 *   table (32 bytes), check.
 * Each check is the first 16 bytes of SHA-256(previous check ‖ the record's bytes before it), chained
 * from the header's, so a record cannot be altered, dropped or reordered unseen. Every record is
 * fsynced before the image is touched. The file is created exclusively (O_EXCL, O_NOFOLLOW), mode
 * 0600, owned by whoever runs the edit.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sifError } from '../errors.js';
import type { DurableLog, EditStart } from '../image/journal.js';
import { FileStore, errnoCode } from './node.js';

/** Journal magic, version 2 (version 1 journals carried no identity and are never applied). */
export const JOURNAL_MAGIC = new TextEncoder().encode('SIFKITJ2');
/** Header length without its check. */
export const JOURNAL_HEADER = 64;
/** Length of a check. */
export const CHECK_SIZE = 16;
/** Largest `U` record sifkit writes is 1 MiB; a reader accepts up to this. */
export const MAX_RECORD = 16 << 20;

/**
 * The journal path of an image.
 *
 * @param imagePath - the image
 * @returns `<image>.sifkit-journal`
 */
export function journalPath(imagePath: string): string {
  return `${imagePath}.sifkit-journal`;
}

/**
 * The chained check of a record.
 *
 * @param prev - the previous check (or nothing, for the header)
 * @param parts - the record's bytes
 * @returns 16 bytes
 */
export function chainCheck(prev: Uint8Array | undefined, ...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  if (prev) h.update(prev);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest().subarray(0, CHECK_SIZE));
}

/**
 * Syncs a directory so a created or removed name is durable.
 *
 * @param path - a file in the directory
 */
export async function syncDir(path: string): Promise<void> {
  const d = await open(dirname(path), constants.O_RDONLY).catch(() => undefined);
  await d?.sync().catch(() => undefined);
  await d?.close();
}

/** Options for {@link fileJournal}. */
export interface FileJournalOptions {
  /** Told when the journal cannot be kept beside the image and the edit runs without one. */
  onWarning?: (message: string) => void;
}

const NO_JOURNAL_HERE = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * The default edit log of an image file: a crash journal beside it. Where its directory cannot take
 * one (not writable, read-only file system) but the image itself is writable, the edit goes ahead in
 * place as siftool's does, after a warning: the undo bytes then go to an unlinked private temporary
 * file, so a failed write is still rolled back, but a killed process cannot be recovered from.
 *
 * @param image - the image being edited (open for writing)
 * @param opts - warning sink
 * @returns the log
 */
export function fileJournal(image: FileStore, opts: FileJournalOptions = {}): DurableLog {
  const path = journalPath(image.path);
  let store: FileStore | undefined;
  let created = false;
  let durable = true;
  let end = 0;
  let check: Uint8Array | undefined;
  const append = async (...parts: Uint8Array[]): Promise<number> => {
    const at = end;
    check = chainCheck(check, ...parts);
    for (const p of [...parts, check]) {
      await store!.write(end, p);
      end += p.length;
    }
    if (durable) await store!.sync();
    return at;
  };
  return {
    async begin(start: EditStart) {
      try {
        store = await FileStore.open(path, 'wx+', { createMode: 0o600, noFollow: true });
        created = true;
      } catch (e) {
        const code = errnoCode(e);
        if (code === 'EEXIST') {
          throw sifError('JOURNAL_REJECTED', `${image.path}: a journal appeared beside the image (${path}) while it was being edited; the edit was not made`, { cause: e });
        }
        if (!code || !NO_JOURNAL_HERE.has(code)) throw e;
        opts.onWarning?.(
          `cannot create the crash journal ${path} (${code === 'EROFS' ? 'read-only file system' : 'permission denied'}): editing in place; if this edit is interrupted, the image cannot be restored`,
        );
        durable = false;
        const tmp = join(tmpdir(), `.sifkit-undo-${randomBytes(8).toString('hex')}`);
        store = await FileStore.open(tmp, 'wx+', { createMode: 0o600, noFollow: true });
        await rm(tmp, { force: true }); // private and anonymous from here on
      }
      const st = await image.handle.stat({ bigint: true });
      const head = new Uint8Array(JOURNAL_HEADER);
      head.set(JOURNAL_MAGIC);
      const v = new DataView(head.buffer);
      v.setBigUint64(8, st.dev, true);
      v.setBigUint64(16, st.ino, true);
      v.setBigInt64(24, BigInt(start.originalSize), true);
      head.set(start.structure, 32);
      await append(head);
      if (durable) await syncDir(path);
    },
    async record(offset, data) {
      const head = new Uint8Array(13);
      head[0] = 0x55; // 'U'
      const v = new DataView(head.buffer);
      v.setBigInt64(1, BigInt(offset), true);
      v.setUint32(9, data.length, true);
      return (await append(head, data)) + head.length;
    },
    async read(at, length) {
      return store!.read(at, length);
    },
    async commit(finalSize, structure) {
      const rec = new Uint8Array(41);
      rec[0] = 0x43; // 'C'
      new DataView(rec.buffer).setBigInt64(1, BigInt(finalSize), true);
      rec.set(structure, 9);
      await append(rec);
    },
    async finish() {
      await store?.close();
      store = undefined;
      if (created && durable) {
        await rm(path, { force: true });
        await syncDir(path);
      }
      created = false;
    },
  };
}
