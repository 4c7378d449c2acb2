/**
 * siftool's outputs (`header`, `list`, `info`), byte for byte.
 *
 * @module
 */
import { readCryptoMessage, readOCIDigest, readPartition, readSBOM, readSignature } from '../format/extras.js';
import { DataType, fsTypeName, formatTypeName, hashTypeName, messageTypeName, partTypeName, sbomFormatName } from '../format/types.js';
import { toHex } from '../hash/index.js';
import type { ObjectDescriptor, SifImage } from '../image/image.js';
import { goTimeUTC, isGoZeroTime, padRight, readableSize, tabwrite } from './text.js';

/**
 * Bytes as a "binary string" (one char per byte), trailing NULs removed: Go prints names and launch
 * scripts as raw bytes, so the CLI carries them byte for byte (output is written as latin1).
 *
 * @param raw - the bytes
 * @returns the binary string
 */
export function rawText(raw: Uint8Array): string {
  let end = raw.length;
  while (end > 0 && raw[end - 1] === 0) end--;
  let s = '';
  for (let i = 0; i < end; i++) s += String.fromCharCode(raw[i]!);
  return s;
}

/**
 * `siftool header`, as a binary string (write it with latin1 encoding).
 *
 * @param img - the image
 * @returns the text
 */
export function formatHeader(img: SifImage): string {
  const h = img.header;
  let s = '';
  const launch = rawText(img.header.launchScript);
  if (launch !== '') s += `Launch Script:\t${launch.endsWith('\n') ? launch.slice(0, -1) : launch}\n`;
  s += `Version:\t${'01'}\n`;
  if (img.primaryArch !== 'unknown') s += `Primary Architecture:\t${img.primaryArch}\n`;
  if (h.id.some((b) => b !== 0)) s += `ID:\t${img.id}\n`;
  if (!isGoZeroTime(h.createdAt)) s += `Created At:\t${goTimeUTC(h.createdAt)}\n`;
  if (!isGoZeroTime(h.modifiedAt)) s += `Modified At:\t${goTimeUTC(h.modifiedAt)}\n`;
  s += `Descriptors Free:\t${h.descriptorsFree}\n`;
  s += `Descriptors Total:\t${h.descriptorsTotal}\n`;
  s += `Descriptors Offset:\t${h.descriptorsOffset}\n`;
  s += `Descriptors Size:\t${readableSize(h.descriptorsSize)}\n`;
  s += `Data Offset:\t${h.dataOffset}\n`;
  s += `Data Size:\t${readableSize(h.dataSize)}\n`;
  return tabwrite(s, 1);
}

function tryOr<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/**
 * The TYPE column of `siftool list` (empty when the metadata cannot be decoded, as siftool prints nothing).
 *
 * @param d - the object
 * @returns e.g. `|FS (Squashfs/*System/amd64)\n`
 */
export function listTypeColumn(d: ObjectDescriptor): string {
  const name = d.dataTypeName;
  switch (d.dataType) {
    case DataType.Partition: {
      const p = tryOr(() => readPartition(d.raw));
      return p ? `|${name} (${fsTypeName(p.fsType)}/${partTypeName(p.partType)}/${p.arch})\n` : '';
    }
    case DataType.Signature: {
      const s = tryOr(() => readSignature(d.raw));
      return s ? `|${name} (${hashTypeName(s.hashType)})\n` : '';
    }
    case DataType.CryptoMessage: {
      const m = readCryptoMessage(d.raw);
      return `|${name} (${formatTypeName(m.formatType)}/${messageTypeName(m.messageType)})\n`;
    }
    case DataType.SBOM:
      return `|${name} (${sbomFormatName(readSBOM(d.raw))})\n`;
    default:
      return `|${name}\n`;
  }
}

function linkText(d: ObjectDescriptor, width: boolean): string {
  const l = d.link;
  if (l.id === 0) return width ? padRight('NONE', 7) : 'NONE';
  if (l.isGroup) return width ? `${padRight(l.id, 3)} (G)` : `${l.id} (G)`;
  return width ? padRight(l.id, 7) : String(l.id);
}

/**
 * `siftool list`.
 *
 * @param img - the image
 * @returns the text
 */
export function formatList(img: SifImage): string {
  const dashes = '-'.repeat(78) + '\n';
  let s = dashes;
  s += `${padRight('ID', 4)} ${padRight('|GROUP', 8)} ${padRight('|LINK', 8)} ${padRight('|SIF POSITION (start-end)', 26)} |TYPE\n`;
  s += dashes;
  for (const d of img.objects()) {
    s += `${padRight(d.id, 4)} `;
    s += `|${padRight(d.groupId === 0 ? 'NONE' : d.groupId, 7)} `;
    s += `|${linkText(d, true)} `;
    s += `${padRight(`|${d.offset}-${d.offset + d.size} `, 26)} `;
    s += listTypeColumn(d);
  }
  return s;
}

/**
 * `siftool info ID`, as a binary string (write it with latin1 encoding).
 *
 * @param d - the object
 * @returns the text
 * @throws SifError when the object's metadata cannot be decoded (siftool fails likewise)
 */
export function formatInfo(d: ObjectDescriptor): string {
  let s = '';
  s += `\tData Type:\t${d.dataTypeName}\n`;
  s += `\tID:\t${d.id}\n`;
  s += `\tGroup ID:\t${d.groupId === 0 ? 'NONE' : d.groupId}\n`;
  s += `\tLinked ID:\t${linkText(d, false)}\n`;
  s += `\tOffset:\t${d.offset}\n`;
  s += `\tSize:\t${d.size}\n`;
  if (!isGoZeroTime(d.createdAt)) s += `\tCreated At:\t${goTimeUTC(d.createdAt)}\n`;
  if (!isGoZeroTime(d.modifiedAt)) s += `\tModified At:\t${goTimeUTC(d.modifiedAt)}\n`;
  const name = rawText(d.raw.name);
  if (name !== '') s += `\tName:\t${name}\n`;
  switch (d.dataType) {
    case DataType.Partition: {
      const p = readPartition(d.raw);
      s += `\tFilesystem Type:\t${fsTypeName(p.fsType)}\n\tPartition Type:\t${partTypeName(p.partType)}\n\tArchitecture:\t${p.arch}\n`;
      break;
    }
    case DataType.Signature: {
      const sig = readSignature(d.raw);
      s += `\tHash Type:\t${hashTypeName(sig.hashType)}\n`;
      if (sig.fingerprint) s += `\tEntity:\t${toHex(sig.fingerprint).toUpperCase()}\n`;
      break;
    }
    case DataType.CryptoMessage: {
      const m = readCryptoMessage(d.raw);
      s += `\tFormat Type:\t${formatTypeName(m.formatType)}\n\tMessage Type:\t${messageTypeName(m.messageType)}\n`;
      break;
    }
    case DataType.SBOM:
      s += `\tFormat:\t${sbomFormatName(readSBOM(d.raw))}\n`;
      break;
    case DataType.OCIRootIndex:
    case DataType.OCIBlob: {
      const o = readOCIDigest(d.raw);
      s += `\tDigest:\t${o.algorithm}:${o.hex}\n`;
      break;
    }
  }
  return tabwrite(s, 2);
}
