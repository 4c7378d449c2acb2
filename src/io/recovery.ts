/**
 * Finding, authenticating and applying the crash journal of an interrupted edit.
 *
 * Trust model: a journal is applied only when
 * 1. it is a regular file, not a symbolic link, with one link, writable by its owner alone, and owned
 *    by the image's owner, by the user running sifkit, or by root — never one another user could
 *    have planted;
 * 2. it names the image it belongs to: the image's device and inode, and the digest of the image's
 *    header and descriptor table as the edit found them (or, once committed, as it left them) — a
 *    journal for another file, or for this file before it was replaced, does not match;
 * 3. every record's chained check is valid, every offset lies inside the image's original length,
 *    and every length within the writer's bounds.
 * Only a writable open or an explicit recovery applies it, under the image's exclusive lock; a
 * read-only open reads nothing from it and reports the pending edit. Records are streamed, never read
 * whole, so a journal of any size (past 2 and 4 GiB) is handled in bounded memory.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { constants, type BigIntStats } from 'node:fs';
import { lstat, open, rm, type FileHandle } from 'node:fs/promises';
import { sifError } from '../errors.js';
import { structureDigest, zeroFillReader, type ZeroFillRead } from '../image/identity.js';
import { CHECK_SIZE, JOURNAL_HEADER, JOURNAL_MAGIC, MAX_RECORD, chainCheck, journalPath, syncDir } from './durable.js';
import type { FileStore } from './node.js';

/** One saved range: `length` original bytes of the image at `offset`, kept in the journal at `at`. */
interface UndoRecord {
  offset: number;
  length: number;
  at: number;
}

/** A parsed, checked journal. */
interface Parsed {
  originalSize: number;
  structure: Uint8Array;
  undo: UndoRecord[];
  commit?: { finalSize: number; structure: Uint8Array };
}

/** No journal beside the image. */
export interface NoJournal {
  /** The state. */
  state: 'none';
}
/** A journal whose header never became durable: the edit stopped before touching the image. */
export interface EmptyJournal {
  /** The state. */
  state: 'empty';
  /** The journal's path. */
  path: string;
}
/** An authenticated journal of an interrupted edit of this image. */
export interface PendingJournal {
  /** The state. */
  state: 'pending';
  /** The journal's path. */
  path: string;
  /** True when the edit had committed (recovery completes it), false when it is rolled back. */
  committed: boolean;
}
/** A journal that must not be applied. */
export interface RejectedJournal {
  /** The state. */
  state: 'rejected';
  /** The journal's path. */
  path: string;
  /** Why it is not applied. */
  reason: string;
}
/** What is beside an image. */
export type JournalStatus = NoJournal | EmptyJournal | PendingJournal | RejectedJournal;

/** What recovery did. */
export type Recovery = 'none' | 'rolled-back' | 'completed' | 'discarded';

class Reject extends Error {}

async function readExact(fh: FileHandle, at: number, length: number): Promise<Uint8Array | undefined> {
  const buf = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, at + done);
    if (bytesRead === 0) return undefined;
    done += bytesRead;
  }
  return buf;
}

const sameFile = (a: BigIntStats, b: BigIntStats): boolean => a.dev === b.dev && a.ino === b.ino;

/**
 * Streams through a journal, checking every record. A record cut short by the end of the file is a
 * write the crash interrupted: its image write never happened, so it ends the journal. A record whose
 * check fails with more data after it is damage: the journal is rejected.
 */
async function parse(fh: FileHandle, size: number, image: BigIntStats): Promise<Parsed | undefined> {
  const head = (await readExact(fh, 0, Math.min(size, JOURNAL_HEADER + CHECK_SIZE)))!;
  if (!JOURNAL_MAGIC.subarray(0, head.length).every((b, i) => head[i] === b)) {
    throw new Reject('it is not a sifkit journal of this version');
  }
  const v = new DataView(head.buffer);
  if (head.length >= 24 && (v.getBigUint64(8, true) !== image.dev || v.getBigUint64(16, true) !== image.ino)) {
    throw new Reject('it belongs to another file (device and inode differ): the image was replaced since');
  }
  // A header cut short, or whose check fails with nothing after it, was never made durable: the
  // edit stopped before touching the image.
  if (head.length < JOURNAL_HEADER + CHECK_SIZE) return undefined;
  let check = chainCheck(undefined, head.subarray(0, JOURNAL_HEADER));
  if (!equal(check, head.subarray(JOURNAL_HEADER))) {
    if (size > head.length) throw new Reject('its header is damaged');
    return undefined;
  }
  const originalSize = Number(v.getBigInt64(24, true));
  if (!Number.isSafeInteger(originalSize) || originalSize < 0) throw new Reject('its original size is out of range');
  const parsed: Parsed = { originalSize, structure: head.slice(32, 64), undo: [] };
  for (let p = head.length; p < size; ) {
    const type = await readExact(fh, p, 1);
    if (type?.[0] === 0x55) {
      const rh = await readExact(fh, p, 13);
      if (!rh) break;
      const rv = new DataView(rh.buffer);
      const offset = Number(rv.getBigInt64(1, true));
      const length = rv.getUint32(9, true);
      const end = p + 13 + length + CHECK_SIZE;
      if (end > size) break; // torn
      if (length > MAX_RECORD || !Number.isSafeInteger(offset) || offset < 0 || offset + length > originalSize) {
        throw new Reject(`a record at ${p} names bytes ${offset}..${offset + length}, outside the image's original ${originalSize} bytes`);
      }
      const h = createHash('sha256').update(check).update(rh);
      for (let q = 0; q < length; q += 1 << 20) {
        const n = Math.min(1 << 20, length - q);
        h.update((await readExact(fh, p + 13 + q, n))!);
      }
      const want = new Uint8Array(h.digest().subarray(0, CHECK_SIZE));
      const got = (await readExact(fh, p + 13 + length, CHECK_SIZE))!;
      if (!equal(want, got)) {
        if (end === size) break; // the last record, torn
        throw new Reject(`the record at ${p} fails its check`);
      }
      parsed.undo.push({ offset, length, at: p + 13 });
      check = want;
      p = end;
    } else if (type?.[0] === 0x43) {
      const rec = await readExact(fh, p, 41 + CHECK_SIZE);
      if (!rec) break;
      const want = chainCheck(check, rec.subarray(0, 41));
      if (!equal(want, rec.subarray(41))) {
        if (p + rec.length === size) break;
        throw new Reject(`the commit record at ${p} fails its check`);
      }
      const finalSize = Number(new DataView(rec.buffer).getBigInt64(1, true));
      if (!Number.isSafeInteger(finalSize) || finalSize < -1) throw new Reject('its final size is out of range');
      parsed.commit = { finalSize, structure: rec.slice(9, 41) };
      if (p + rec.length !== size) throw new Reject('it has data after its commit record');
      break;
    } else {
      throw new Reject(`an unknown record at ${p}`);
    }
  }
  return parsed;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The image as the rollback would leave it: current bytes, then saved bytes put back, earliest last. */
function rolledBackView(image: FileStore, journal: FileHandle, undo: UndoRecord[], originalSize: number): ZeroFillRead {
  const current = zeroFillReader(image);
  return async (offset, length) => {
    const out = await current(offset, length);
    const end = Math.min(offset + length, originalSize);
    if (end < offset + length) out.fill(0, Math.max(0, end - offset));
    for (let i = undo.length - 1; i >= 0; i--) {
      const u = undo[i]!;
      const from = Math.max(offset, u.offset);
      const to = Math.min(end, u.offset + u.length);
      if (from >= to) continue;
      out.set((await readExact(journal, u.at + (from - u.offset), to - from))!, from - offset);
    }
    return out;
  };
}

interface Opened {
  status: JournalStatus;
  journal?: { fh: FileHandle; parsed: Parsed };
}

/**
 * Looks at the journal beside an open image and authenticates it, without changing anything.
 * The caller holds the image's lock; the returned handle (if any) must be closed.
 */
async function openJournal(image: FileStore): Promise<Opened> {
  const path = journalPath(image.path);
  const st = await lstat(path, { bigint: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (!st) return { status: { state: 'none' } };
  const reject = (reason: string): Opened => ({ status: { state: 'rejected', path, reason } });
  if (st.isSymbolicLink()) return reject('it is a symbolic link');
  if (!st.isFile()) return reject('it is not a regular file');
  const img = await image.handle.stat({ bigint: true });
  const me = BigInt(process.geteuid?.() ?? -1);
  if (st.uid !== img.uid && st.uid !== me && st.uid !== 0n) {
    return reject(`it is owned by uid ${st.uid}, not by the image's owner (uid ${img.uid}), by you or by root`);
  }
  if ((st.mode & 0o022n) !== 0n) return reject(`other users may write it (mode ${(st.mode & 0o777n).toString(8).padStart(4, '0')})`);
  if (st.nlink !== 1n) return reject(`it has ${st.nlink} hard links`);
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    return reject(`it cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const fst = await fh.stat({ bigint: true });
    if (!sameFile(fst, st)) throw new Reject('it was replaced while being checked');
    const parsed = await parse(fh, Number(fst.size), img);
    if (!parsed) {
      await fh.close();
      return { status: { state: 'empty', path } };
    }
    if (parsed.commit) {
      const final = parsed.commit.finalSize;
      if (final >= 0 && image.size < final) throw new Reject(`the image is shorter (${image.size} bytes) than the edit left it`);
      const size = final >= 0 ? Math.min(final, image.size) : image.size;
      if (!equal(await structureDigest(zeroFillReader(image), size), parsed.commit.structure)) {
        throw new Reject('the image has changed since the edit (its header or descriptor table differs)');
      }
    } else {
      if (image.size < parsed.originalSize) throw new Reject(`the image is shorter (${image.size} bytes) than before the edit`);
      const view = rolledBackView(image, fh, parsed.undo, parsed.originalSize);
      if (!equal(await structureDigest(view, parsed.originalSize), parsed.structure)) {
        throw new Reject('the image has changed since the edit (its header or descriptor table differs)');
      }
    }
    return { status: { state: 'pending', path, committed: parsed.commit !== undefined }, journal: { fh, parsed } };
  } catch (e) {
    await fh.close();
    if (e instanceof Reject) return reject(e.message);
    throw e;
  }
}

/**
 * What is beside an open image: nothing, a pending edit, or a journal that must not be applied.
 * Changes nothing.
 *
 * @param image - the open image (the caller holds at least a shared lock)
 * @returns the status
 */
export async function journalStatus(image: FileStore): Promise<JournalStatus> {
  const o = await openJournal(image);
  await o.journal?.fh.close();
  return o.status;
}

/**
 * The error a read-only open reports for a pending edit.
 *
 * @param imagePath - the image
 * @param journal - the journal
 * @returns the error
 */
export function editPendingError(imagePath: string, journal: string) {
  return sifError(
    'EDIT_PENDING',
    `${imagePath}: an interrupted edit is pending (${journal}); run 'sifkit recover ${imagePath}' to finish or undo it`,
  );
}

/**
 * The error for a journal that is not applied.
 *
 * @param imagePath - the image
 * @param status - the rejected journal
 * @param status.path - its path
 * @param status.reason - why
 * @returns the error
 */
export function journalRejectedError(imagePath: string, status: { path: string; reason: string }) {
  return sifError(
    'JOURNAL_REJECTED',
    `${imagePath}: refusing the journal ${status.path}: ${status.reason}; neither file was changed (remove the journal if no edit of this image was interrupted)`,
  );
}

/**
 * Finishes or undoes an interrupted edit of an open image: an uncommitted edit is rolled back to the
 * original bytes and length, a committed one gets its pending cut; then the journal is removed. A
 * journal that does not authenticate is refused and neither file is touched.
 *
 * @param image - the image, open for writing, under its exclusive lock
 * @returns what was done
 * @throws SifError `JOURNAL_REJECTED`
 */
export async function recoverOpenImage(image: FileStore): Promise<Recovery> {
  const o = await openJournal(image);
  const status = o.status;
  if (status.state === 'none') return 'none';
  if (status.state === 'rejected') throw journalRejectedError(image.path, status);
  if (status.state === 'empty') {
    await rm(status.path, { force: true });
    await syncDir(status.path);
    return 'discarded';
  }
  const { fh, parsed } = o.journal!;
  try {
    if (parsed.commit) {
      const final = parsed.commit.finalSize;
      if (final >= 0 && image.size !== final) await image.truncate(final);
    } else {
      for (let i = parsed.undo.length - 1; i >= 0; i--) {
        const u = parsed.undo[i]!;
        await image.write(u.offset, (await readExact(fh, u.at, u.length))!);
      }
      if (image.size !== parsed.originalSize) await image.truncate(parsed.originalSize);
    }
    await image.sync();
  } finally {
    await fh.close();
  }
  await rm(status.path, { force: true });
  await syncDir(status.path);
  return parsed.commit ? 'completed' : 'rolled-back';
}
