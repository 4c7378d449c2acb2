/**
 * Armor as Go writes it, with the CRC-24 line keyservers require: decodes back to the same bytes, the
 * checksum verifies, lines are 64 characters.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc24, decodeArmor, encodeArmor } from '../../src/keys/armor.js';

describe('encodeArmor', () => {
  it('round-trips through the decoder with a checksum line', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 3000 }), (data) => {
        const text = encodeArmor('PGP PUBLIC KEY BLOCK', data);
        const lines = text.trimEnd().split('\n');
        expect(lines[0]).toBe('-----BEGIN PGP PUBLIC KEY BLOCK-----');
        expect(lines[1]).toBe('');
        expect(lines.at(-2)).toMatch(/^=[A-Za-z0-9+/]{4}$/);
        for (const l of lines.slice(2, -2)) expect(l.length).toBeLessThanOrEqual(64);
        const back = decodeArmor(text)!;
        expect(back.type).toBe('PGP PUBLIC KEY BLOCK');
        expect(back.error).toBeUndefined();
        expect(back.body).toEqual(data);
        expect(back.crc).toBe(crc24(data));
      }),
      { numRuns: 200 },
    );
  });
});
