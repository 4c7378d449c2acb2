// Key files: armored and binary, several keys per file, GnuPG binary keyrings with trust packets, PEM
// keys of every DSSE type (sign and verify round trip, SSH fingerprints as key IDs).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnvelope, signEnvelope, verifyEnvelope } from '../../src/integrity/dsse.js';
import { readPemPrivateKey, readPemPublicKey } from '../../src/keys/pem.js';
import { readPgpKeys, stripTrustPackets } from '../../src/keys/pgp.js';
import { TESTDATA } from '../helpers/paths.js';

const file = (p: string): Uint8Array => new Uint8Array(readFileSync(join(TESTDATA, p)));

describe('OpenPGP key files', () => {
  it('armored public, armored secret, binary keyring with two keys', async () => {
    expect(await readPgpKeys(file('keys/sample-public.asc'))).toHaveLength(1);
    const [secret] = await readPgpKeys(file('keys/sample-secret.asc'));
    expect(secret!.isPrivate()).toBe(true);
    const both = await readPgpKeys(file('keys/both-public.gpg'));
    expect(both.map((k) => k.users[0]!.userID!.userID)).toEqual([
      'sifkit sample (test key) <sample@sifkit.test>',
      'Somebody Else <else@sifkit.test>',
    ]);
  });

  it('a GnuPG pubring with trust packets (tag 12) reads like one without', async () => {
    const plain = file('keys/both-public.gpg');
    // Insert an old-format trust packet (0xB0, length 2) after every packet, as pubring.gpg does.
    const parts: number[] = [];
    let pos = 0;
    while (pos < plain.length) {
      const hdr = plain[pos]!;
      let len: number;
      let hl: number;
      if (hdr & 0x40) {
        const l0 = plain[pos + 1]!;
        if (l0 < 192) [len, hl] = [l0, 2];
        else if (l0 < 224) [len, hl] = [((l0 - 192) << 8) + plain[pos + 2]! + 192, 3];
        else [len, hl] = [new DataView(plain.buffer, plain.byteOffset + pos + 2, 4).getUint32(0), 6];
      } else {
        const n = [1, 2, 4][hdr & 3]!;
        len = 0;
        for (let i = 0; i < n; i++) len = len * 256 + plain[pos + 1 + i]!;
        hl = 1 + n;
      }
      parts.push(...plain.subarray(pos, pos + hl + len), 0xb0, 0x02, 0x00, 0x00);
      pos += hl + len;
    }
    const withTrust = Uint8Array.from(parts);
    expect(stripTrustPackets(withTrust)).toEqual(plain);
    const keys = await readPgpKeys(withTrust);
    expect(keys.map((k) => k.getFingerprint())).toEqual((await readPgpKeys(plain)).map((k) => k.getFingerprint()));
  });

  it('garbage is a typed KEY_INVALID error naming the file', async () => {
    await expect(readPgpKeys(new TextEncoder().encode('not a key'), 'bad.asc')).rejects.toMatchObject({ code: 'KEY_INVALID' });
    await expect(readPgpKeys(new Uint8Array([0x99, 0x00, 0x05, 1, 2]), 'bad.gpg')).rejects.toMatchObject({ code: 'KEY_INVALID', message: expect.stringMatching(/^bad\.gpg: /) });
  });
});

describe('PEM keys and DSSE', () => {
  const pair = (type: 'ed25519' | 'rsa' | 'ec', opts: object) => {
    const { privateKey, publicKey } = generateKeyPairSync(type as 'ed25519', opts as never) as unknown as { privateKey: KeyObject; publicKey: KeyObject };
    return {
      priv: new TextEncoder().encode(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
      pub: new TextEncoder().encode(publicKey.export({ type: 'spki', format: 'pem' }) as string),
    };
  };
  it.each([
    ['Ed25519', pair('ed25519', {})],
    ['RSA 2048', pair('rsa', { modulusLength: 2048 })],
    ['ECDSA P-256', pair('ec', { namedCurve: 'P-256' })],
    ['ECDSA P-384', pair('ec', { namedCurve: 'P-384' })],
  ])('%s: sign an envelope, verify it, reject it with another key', async (_name, k) => {
    const priv = await readPemPrivateKey(k.priv);
    const pub = await readPemPublicKey(k.pub);
    expect(pub.keyId).toBe(priv.keyId);
    expect(pub.keyId).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const env = parseEnvelope(await signEnvelope(new TextEncoder().encode('{"a":1}'), [priv]))!;
    expect(new TextDecoder().decode((await verifyEnvelope(env, [pub])).payload)).toBe('{"a":1}');
    const other = await readPemPublicKey(pair('ed25519', {}).pub);
    await expect(verifyEnvelope(env, [other])).rejects.toMatchObject({ code: 'SIGNATURE_NOT_VALID' });
  });

  it('garbage PEM is a typed error', async () => {
    await expect(readPemPublicKey(new TextEncoder().encode('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'))).rejects.toMatchObject({
      code: 'KEY_INVALID',
    });
  });
});
