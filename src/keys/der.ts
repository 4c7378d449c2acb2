/**
 * Just enough DER (ASN.1) to read public keys and ECDSA signatures: tag, definite length, contents,
 * every length checked against the input. Hand-written: the needed subset is ~60 lines, where a
 * general ASN.1 package would add a dependency to the portable core for three structures.
 *
 * @module
 */
import { sifError } from '../errors.js';

/** One DER element. */
export interface DerElement {
  /** The tag byte (0x30 SEQUENCE, 0x02 INTEGER, 0x03 BIT STRING, 0x04 OCTET STRING, 0x06 OID). */
  tag: number;
  /** The contents. */
  body: Uint8Array;
  /** Where the next element starts in the input. */
  end: number;
}

/**
 * Reads the element at `at`.
 *
 * @param b - DER bytes
 * @param at - offset
 * @returns the element
 * @throws SifError `KEY_INVALID` on malformed input
 */
export function derRead(b: Uint8Array, at = 0): DerElement {
  const bad = (why: string): never => {
    throw sifError('KEY_INVALID', `malformed DER: ${why}`);
  };
  if (at + 2 > b.length) bad('truncated');
  const tag = b[at]!;
  let len = b[at + 1]!;
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > b.length) bad('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p + i]!;
    p += n;
  }
  if (p + len > b.length) bad('length past the end');
  return { tag, body: b.subarray(p, p + len), end: p + len };
}

/**
 * The elements of a constructed value (a SEQUENCE's contents), in order.
 *
 * @param body - the contents
 * @returns the elements
 */
export function derChildren(body: Uint8Array): DerElement[] {
  const out: DerElement[] = [];
  for (let p = 0; p < body.length; p = out[out.length - 1]!.end) out.push(derRead(body, p));
  return out;
}

/**
 * Dotted text of an OBJECT IDENTIFIER's contents.
 *
 * @param body - the OID contents
 * @returns e.g. `1.2.840.10045.2.1`
 */
export function oidText(body: Uint8Array): string {
  const parts: number[] = [];
  let v = 0;
  for (const x of body) {
    v = v * 128 + (x & 0x7f);
    if (!(x & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  const first = parts.shift() ?? 0;
  return [Math.min(2, Math.floor(first / 40)), first - 40 * Math.min(2, Math.floor(first / 40)), ...parts].join('.');
}
