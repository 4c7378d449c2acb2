// Issue point 1: a user ID whose text was edited after signing (its self-signature no longer valid)
// is never shown as the signer; a key with no validly self-signed user ID is refused everywhere
// (--key, key import, keyrings); armor checksums are checked as go-crypto checks them.
import * as openpgp from 'openpgp';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSifError } from '../../src/errors.js';
import { readPgpKeys } from '../../src/keys/pgp.js';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-forged-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Replaces the text of every user ID packet (tag 13) with a same-length forgery. */
function forgeUserIds(binary: Uint8Array, from: string, to: string): Uint8Array {
  expect(to.length).toBe(from.length);
  const out = binary.slice();
  const needle = new TextEncoder().encode(from);
  let hits = 0;
  for (let i = 0; i + needle.length <= out.length; i++) {
    if (needle.every((b, k) => out[i + k] === b)) {
      out.set(new TextEncoder().encode(to), i);
      hits++;
    }
  }
  expect(hits).toBeGreaterThan(0);
  return out;
}

const REAL = 'Alice Real <alice@sifkit.test>';
const FAKE = 'Mallory Evi <alice@sifkit.test>'.slice(0, REAL.length).padEnd(REAL.length, 'x');
let secretFile = '';
let forgedFile = '';
let mixedFile = '';
const image = join(dir, 'signed.sif');

beforeAll(async () => {
  const { privateKey, publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'Alice Real', email: 'alice@sifkit.test' }], format: 'object' });
  secretFile = join(dir, 'alice-secret.asc');
  writeFileSync(secretFile, privateKey.armor());
  const bin = publicKey.write();
  forgedFile = join(dir, 'forged-public.gpg');
  writeFileSync(forgedFile, forgeUserIds(bin, REAL, FAKE));
  // A key with two user IDs, the second forged after the fact: only the first may be shown.
  const two = await openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'Alice Real', email: 'alice@sifkit.test' }, { name: 'Zed Second', email: 'zed@sifkit.test' }], format: 'object' });
  mixedFile = join(dir, 'mixed-public.gpg');
  writeFileSync(mixedFile, forgeUserIds(two.publicKey.write(), 'Zed Second', 'Boss Admin'));
  writeFileSync(join(dir, 'mixed-secret.asc'), two.privateKey.armor());
  copyFileSync(join(TESTDATA, 'images/multi.sif'), image);
  expect((await runCli(['sign', '--key', secretFile, image])).code).toBe(0);
});

describe('forged user IDs', () => {
  it('readPgpKeys refuses a key whose only user ID fails its self-signature', async () => {
    await expect(readPgpKeys(new Uint8Array(readFileSync(forgedFile)), 'forged')).rejects.toSatisfy(
      (e) => isSifError(e, 'KEY_INVALID') && /no user ID with a valid self-signature/.test((e as Error).message),
    );
  });

  it('verify --key with the forged key never prints the forged name as verified', async () => {
    const r = await runCli(['verify', '--key', forgedFile, image]);
    expect(r.code).toBe(255);
    expect(r.stdout + r.stderr).not.toContain('Mallory');
    expect(r.stderr).toMatch(/failed to load key material: .*no user ID with a valid self-signature/);
  });

  it('key import refuses it; the keyring is not created', async () => {
    const env = { SINGULARITY_SYPGPDIR: join(dir, 'ring') };
    const r = await runCli(['key', 'import', forgedFile], { env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no user ID with a valid self-signature/);
  });

  it('of two user IDs, only the validly self-signed one is ever shown', async () => {
    const img = join(dir, 'mixed.sif');
    copyFileSync(join(TESTDATA, 'images/multi.sif'), img);
    expect((await runCli(['sign', '--key', join(dir, 'mixed-secret.asc'), img])).code).toBe(0);
    const keys = await readPgpKeys(new Uint8Array(readFileSync(mixedFile)));
    expect(keys[0]!.users.map((u) => u.userID?.userID)).toEqual([REAL]);
    const r = await runCli(['verify', '--key', mixedFile, img]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Signing entity: ${REAL}`);
    expect(r.stdout).not.toContain('Boss Admin');
  });
});

describe('armor checksums (go-crypto: "armor invalid")', () => {
  const armored = readFileSync(join(TESTDATA, 'keys/sample-public.asc'), 'utf8');
  it('a GnuPG export with its =CRC line reads', async () => {
    expect(armored).toMatch(/\n=[A-Za-z0-9+/]{4}\n-----END/);
    expect(await readPgpKeys(new TextEncoder().encode(armored))).toHaveLength(1);
  });
  it('a wrong checksum is refused', async () => {
    const bad = armored.replace(/\n=([A-Za-z0-9+/]{4})\n/, (_, c: string) => `\n=${c[0] === 'A' ? 'B' : 'A'}${c.slice(1)}\n`);
    expect(bad).not.toBe(armored);
    await expect(readPgpKeys(new TextEncoder().encode(bad), 'bad.asc')).rejects.toSatisfy(
      (e) => isSifError(e, 'KEY_INVALID') && /bad\.asc: armor checksum mismatch/.test((e as Error).message),
    );
    const file = join(dir, 'bad-crc.asc');
    writeFileSync(file, bad);
    const r = await runCli(['verify', '--key', file, join(TESTDATA, 'images/sample-signed.sif')]);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/armor checksum mismatch/);
  });
});
