/**
 * OpenPGP packet framing (RFC 4880 §4.2): splitting a byte stream into packets by their headers.
 *
 * @module
 */

/**
 * Splits OpenPGP packets by their headers.
 *
 * @param b - packet bytes
 * @returns the packets — a last one whose stated length runs past the end is given with the bytes
 *   that are there — and whether the data ended early
 */
export function splitPackets(b: Uint8Array): { packets: { tag: number; bytes: Uint8Array }[]; incomplete: boolean } {
  const packets: { tag: number; bytes: Uint8Array }[] = [];
  let pos = 0;
  while (pos < b.length) {
    const start = pos;
    const hdr = b[pos]!;
    if ((hdr & 0x80) === 0) return { packets, incomplete: true };
    let tag: number;
    let len: number;
    if (hdr & 0x40) {
      tag = hdr & 0x3f;
      const l0 = b[pos + 1];
      if (l0 === undefined) return { packets, incomplete: true };
      if (l0 < 192) [len, pos] = [l0, pos + 2];
      else if (l0 < 224) {
        const l1 = b[pos + 2];
        if (l1 === undefined) return { packets, incomplete: true };
        [len, pos] = [((l0 - 192) << 8) + l1 + 192, pos + 3];
      } else if (l0 === 255) {
        if (pos + 6 > b.length) return { packets, incomplete: true };
        [len, pos] = [new DataView(b.buffer, b.byteOffset + pos + 2, 4).getUint32(0), pos + 6];
      } else return { packets, incomplete: true };
    } else {
      tag = (hdr >> 2) & 0x0f;
      const n = [1, 2, 4, 0][hdr & 3]!;
      if (n === 0) {
        packets.push({ tag, bytes: b.subarray(start) });
        return { packets, incomplete: false };
      }
      if (pos + 1 + n > b.length) return { packets, incomplete: true };
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + b[pos + 1 + k]!;
      pos += 1 + n;
    }
    if (pos + len > b.length) {
      // go-crypto parses a packet from what is there and fails only if the fields run out: offer the
      // available body under a header that states its real length.
      const body = b.subarray(pos);
      const out = new Uint8Array(6 + body.length);
      out[0] = 0xc0 | tag;
      out[1] = 0xff;
      new DataView(out.buffer).setUint32(2, body.length);
      out.set(body, 6);
      packets.push({ tag, bytes: out });
      return { packets, incomplete: true };
    }
    pos += len;
    packets.push({ tag, bytes: b.subarray(start, pos) });
  }
  return { packets, incomplete: false };
}
