// Known-answer vectors for the hash back ends (portable: also run in the browser).
import type { HashAlgorithm } from '../../src/hash/index.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

// FIPS 180-4 example vectors (NIST CSRC "Examples with Intermediate Values").
export const vectors: [HashAlgorithm, Uint8Array, string][] = [
  ['sha256', utf8('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['sha256', utf8(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['sha256', utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ['sha256', new Uint8Array(1_000_000).fill(0x61), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
  ['sha224', utf8('abc'), '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7'],
  ['sha384', utf8('abc'), 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7'],
  [
    'sha512',
    utf8('abc'),
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
  ],
  ['sha512_224', utf8('abc'), '4634270f707b6a54daae7530460842e20e37ed265ceee9a43e8924aa'],
  ['sha512_256', utf8('abc'), '53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23'],
];
