/**
 * Little-endian fields of SquashFS structures, read at an offset of a byte view (whatever its
 * place in its buffer).
 *
 * @module
 */

/**
 * @param b - bytes
 * @param at - offset
 * @returns the u16 there
 */
export const u16le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);

/**
 * @param b - bytes
 * @param at - offset
 * @returns the u32 there
 */
export const u32le = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

/**
 * @param b - bytes
 * @param at - offset
 * @returns the u64 there
 */
export const u64le = (b: Uint8Array, at: number): bigint => BigInt(u32le(b, at)) | (BigInt(u32le(b, at + 4)) << 32n);
