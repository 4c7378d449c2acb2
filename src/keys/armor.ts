/**
 * OpenPGP ASCII armor as go-crypto reads it (the reference's OpenPGP library): the header phase
 * decides whether there is an armored block at all; the body is base64 in lines of at most 96
 * characters, with an optional `=CRC` line right before the END line. Body errors are lazy in
 * go-crypto (found only when the reader gets that far), so decoding returns the valid prefix and the
 * first error, and the packet reader fails only if it needs bytes past it.
 *
 * @module
 */
import { base64Encode } from '../runtime.js';

export { splitPackets } from './packets.js';

/** A decoded armor block. */
export interface ArmorBlock {
  /** Block type, e.g. `PGP SIGNATURE`. */
  type: string;
  /** Header lines. */
  headers: Record<string, string>;
  /** Decoded bytes up to the first body error (all of them when there is none). */
  body: Uint8Array;
  /** The first body error, in go-crypto's words, if any. */
  error?: string;
  /** The 24-bit checksum of the `=XXXX` line, when the block has one. */
  crc?: number;
}

const CRC24_INIT = 0xb704ce;
const CRC24_POLY = 0x1864cfb;

/**
 * The OpenPGP armor checksum (RFC 4880 §6.1).
 *
 * @param data - decoded body bytes
 * @returns 24-bit CRC
 */
export function crc24(data: Uint8Array): number {
  let crc = CRC24_INIT;
  for (const b of data) {
    crc ^= b << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= CRC24_POLY;
    }
  }
  return crc & 0xffffff;
}

const ARMOR_CORRUPT = 'openpgp: invalid data: armor invalid';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(256).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** Lines as bufio.Reader.ReadLine (size 100) yields them: without CR LF; over-long lines flagged. */
function readLines(text: string): { line: string; long: boolean }[] {
  const out: { line: string; long: boolean }[] = [];
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  for (let p of parts) {
    if (p.endsWith('\r')) p = p.slice(0, -1);
    out.push({ line: p, long: p.length >= 100 });
  }
  return out;
}

/** Go's base64.StdEncoding stream decoding of the body characters; stops at the first bad input. */
function decodeBase64(chars: string): { bytes: Uint8Array; error?: string } {
  const out: number[] = [];
  let quantum: number[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars.charCodeAt(i);
    if (c === 0x3d) {
      // Padding: only in the last quantum, in position 2 or 3, and nothing after.
      const rest = chars.slice(i);
      const ok = (quantum.length === 2 && rest === '==') || (quantum.length === 3 && rest === '=');
      if (!ok) return { bytes: Uint8Array.from(out), error: `illegal base64 data at input byte ${i}` };
      if (quantum.length === 2) out.push(((quantum[0]! << 2) | (quantum[1]! >> 4)) & 0xff);
      else out.push(((quantum[0]! << 2) | (quantum[1]! >> 4)) & 0xff, ((quantum[1]! << 4) | (quantum[2]! >> 2)) & 0xff);
      return { bytes: Uint8Array.from(out) };
    }
    const v = c < 256 ? B64_INDEX[c]! : -1;
    if (v < 0) return { bytes: Uint8Array.from(out), error: `illegal base64 data at input byte ${i}` };
    quantum.push(v);
    if (quantum.length === 4) {
      out.push(((quantum[0]! << 2) | (quantum[1]! >> 4)) & 0xff, ((quantum[1]! << 4) | (quantum[2]! >> 2)) & 0xff, ((quantum[2]! << 6) | quantum[3]!) & 0xff);
      quantum = [];
    }
  }
  if (quantum.length !== 0) return { bytes: Uint8Array.from(out), error: 'unexpected EOF' };
  return { bytes: Uint8Array.from(out) };
}

/**
 * Decodes armor as go-crypto's `armor.Decode` and its readers do.
 *
 * @param text - the armored text
 * @returns the block, or undefined when the header phase fails (no block)
 */
export function decodeArmor(text: string): ArmorBlock | undefined {
  return decodeFrom(readLines(text), 0)?.block;
}

/**
 * Every armored block in a text, in order (GnuPG reads concatenated armored keys this way; go-crypto's
 * readers stop after the first).
 *
 * @param text - the armored text
 * @returns the blocks
 */
export function decodeArmorBlocks(text: string): ArmorBlock[] {
  const lines = readLines(text);
  const out: ArmorBlock[] = [];
  for (let at: { block: ArmorBlock; next: number } | undefined = decodeFrom(lines, 0); at; at = decodeFrom(lines, at.next)) {
    out.push(at.block);
  }
  return out;
}

function decodeFrom(lines: { line: string; long: boolean }[], start: number): { block: ArmorBlock; next: number } | undefined {
  let i = start;
  for (;;) {
    // Skip to a BEGIN line (over-long lines and their continuations are ignored).
    let begin: string | undefined;
    for (; i < lines.length; i++) {
      const { line, long } = lines[i]!;
      if (long) continue;
      const t = line.trim();
      if (t.length > 16 && t.startsWith('-----BEGIN ') && t.endsWith('-----')) {
        begin = t;
        i++;
        break;
      }
    }
    if (begin === undefined) return undefined;
    const headers: Record<string, string> = {};
    let retry = false;
    for (;;) {
      if (i >= lines.length) return undefined;
      const t = lines[i]!.line.trim();
      i++;
      if (t.length === 0) break;
      const k = t.indexOf(': ');
      if (k < 0) {
        retry = true;
        break;
      }
      headers[t.slice(0, k)] = t.slice(k + 2);
    }
    if (retry) continue;
    // Body.
    let chars = '';
    let error: string | undefined;
    let crc: number | undefined;
    for (; i < lines.length; i++) {
      const { line, long } = lines[i]!;
      if (long || line.length > 96) {
        error = ARMOR_CORRUPT;
        break;
      }
      if (line.startsWith('-----END')) break;
      if (line.length === 5 && line[0] === '=') {
        const next = lines[i + 1]?.line ?? '';
        if (!next.startsWith('-----END')) error = ARMOR_CORRUPT;
        // (go-crypto checks the CRC only when its reader reaches the end, which a signature check never
        // does; key readers do, see keys/pgp.ts)
        const sum = decodeBase64(line.slice(1));
        if (sum.error || sum.bytes.length !== 3) error ??= ARMOR_CORRUPT;
        else crc = (sum.bytes[0]! << 16) | (sum.bytes[1]! << 8) | sum.bytes[2]!;
        i++;
        break;
      }
      chars += line;
    }
    while (i < lines.length && !lines[i]!.line.startsWith('-----END')) i++;
    const b = decodeBase64(chars);
    const err = b.error ?? error;
    return {
      block: { type: begin.slice(11, -5), headers, body: b.bytes, ...(err ? { error: err } : {}), ...(crc !== undefined ? { crc } : {}) },
      next: i + 1,
    };
  }
}

/**
 * ASCII armor as Go's `armor.Encode` writes it: a blank line after the header line, base64 in lines
 * of 64 characters, the CRC-24 line (`=XXXX`; keyservers such as SKS refuse armor without it, and
 * openpgp.js 6 no longer writes it), the tail line.
 *
 * @param type - the block type, e.g. `PGP PUBLIC KEY BLOCK`
 * @param data - the binary packets
 * @returns the armored text, ending in a newline
 */
export function encodeArmor(type: string, data: Uint8Array): string {
  const b64 = base64Encode(data);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  const c = crc24(data);
  const crc = base64Encode(new Uint8Array([(c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff]));
  return `-----BEGIN ${type}-----\n\n${lines.join('\n')}\n=${crc}\n-----END ${type}-----\n`;
}
