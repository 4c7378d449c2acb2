// Structure-aware mutations of real SIF images for fuzzing: header fields, descriptor fields (counts,
// offsets, sizes, IDs, groups, links, types, extras), signature contents (armor, JSON, digests),
// truncation, appended bytes, byte flips. Pure functions of fast-check values, so any failure replays
// from its seed.
import fc from 'fast-check';

const HEADER_FIELDS: [number, number][] = [
  [0, 32], [32, 10], [42, 3], [45, 3], [48, 16], [64, 8], [72, 8], [80, 8], [88, 8], [96, 8], [104, 8], [112, 8], [120, 8],
];
const DESCRIPTOR_FIELDS: [number, number][] = [
  [0, 4], [4, 1], [5, 4], [9, 4], [13, 4], [17, 8], [25, 8], [33, 8], [41, 8], [49, 8], [57, 8], [65, 8], [73, 128], [201, 384],
];

/** One mutation. */
export type Mutation =
  | { kind: 'header'; field: number; value: bigint }
  | { kind: 'descriptor'; slot: number; field: number; value: bigint }
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'signature'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; bytes: Uint8Array };

const interesting = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, 48n, 585n, 4096n, 0x7fn, 0xffn, 0x4001n, 0x4005n, 0xf0000000n, 0xf0000001n, 0xffffffffn, 1n << 31n, 1n << 32n, 1n << 53n, -1n, -(1n << 63n), (1n << 63n) - 1n, -62135596800n),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  fc.bigInt({ min: 0n, max: 1n << 20n }),
);

/** Mutations of an image of `size` bytes whose signature objects span `sigs`. */
export function mutationArb(size: number, sigs: [number, number][]): fc.Arbitrary<Mutation> {
  const arbs: fc.Arbitrary<Mutation>[] = [
    fc.record({ kind: fc.constant('header' as const), field: fc.nat({ max: HEADER_FIELDS.length - 1 }), value: interesting }),
    fc.record({ kind: fc.constant('descriptor' as const), slot: fc.nat({ max: 12 }), field: fc.nat({ max: DESCRIPTOR_FIELDS.length - 1 }), value: interesting }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat({ max: size - 1 }), xor: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat({ max: size }) }),
    fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 600 }) }),
  ];
  if (sigs.length) {
    arbs.push(
      fc
        .tuple(fc.nat({ max: sigs.length - 1 }), fc.nat(), fc.constantFrom(0x20, 0x2d, 0x30, 0x3d, 0x41, 0x0a, 0x22, 0x7b, 0x7d, 0x3a, 0x2c, 0x66))
        .map(([s, r, byte]) => ({ kind: 'signature' as const, at: sigs[s]![0] + (r % Math.max(1, sigs[s]![1])), byte })),
    );
  }
  return fc.oneof(...arbs);
}

function setInt(b: Uint8Array, at: number, len: number, value: bigint): void {
  if (at + len > b.length) return;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (len === 8) v.setBigInt64(at, BigInt.asIntN(64, value), true);
  else if (len === 4) v.setUint32(at, Number(BigInt.asUintN(32, value)), true);
  else if (len === 1) v.setUint8(at, Number(BigInt.asUintN(8, value)));
  else for (let i = 0; i < len; i++) b[at + i] = Number(BigInt.asUintN(8, value >> BigInt(8 * (i % 8))));
}

/** Applies a mutation to a copy of the image. */
export function apply(original: Uint8Array, m: Mutation, tableOffset = 4096): Uint8Array {
  switch (m.kind) {
    case 'header': {
      const b = original.slice();
      const [at, len] = HEADER_FIELDS[m.field]!;
      setInt(b, at, len, m.value);
      return b;
    }
    case 'descriptor': {
      const b = original.slice();
      const [at, len] = DESCRIPTOR_FIELDS[m.field]!;
      setInt(b, tableOffset + m.slot * 585 + at, len, m.value);
      return b;
    }
    case 'flip': {
      const b = original.slice();
      b[m.at]! ^= m.xor;
      return b;
    }
    case 'signature': {
      const b = original.slice();
      b[m.at] = m.byte;
      return b;
    }
    case 'truncate':
      return original.slice(0, m.at);
    case 'append': {
      const b = new Uint8Array(original.length + m.bytes.length);
      b.set(original);
      b.set(m.bytes, original.length);
      return b;
    }
  }
}
