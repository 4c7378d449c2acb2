/**
 * OpenPGP clear-signed messages as the reference reads and writes them: the go-crypto clearsign
 * decoder's rules (what counts as a clear-signed block, which bytes are signed), signature
 * verification against a keyring with go-crypto's key selection, and signing with the reference's
 * packet layout and armor.
 *
 * @module
 */
import { sifError } from '../errors.js';
import { decodeArmor, splitPackets } from '../keys/armor.js';
import { loadOpenPGP, signerOf, type PgpKey, type PgpKeyring, type PgpPrivateKey, type PgpSigner } from '../keys/pgp.js';

/** A decoded clear-signed block. */
export interface ClearsignBlock {
  /** The signed bytes: lines without trailing blanks, dash-escapes removed, joined with CRLF. */
  bytes: Uint8Array;
  /** The plaintext: each line followed by LF. */
  plaintext: Uint8Array;
  /** Values of the `Hash` armor headers. */
  hashHeaders: string[];
  /** The armored signature text. */
  armoredSignature: string;
}

const enc = new TextEncoder();
const START = enc.encode('\n-----BEGIN PGP SIGNED MESSAGE-----');
const END_TEXT = enc.encode('-----BEGIN PGP SIGNATURE-----');
const END = enc.encode('\n-----END PGP SIGNATURE-----');

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0]!;
  for (let i = hay.indexOf(first, from); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let ok = true;
    for (let k = 1; k < needle.length; k++) {
      if (hay[i + k] !== needle[k]) {
        ok = false;
        break;
      }
    }
    if (ok) return i;
  }
  return -1;
}

function startsWith(hay: Uint8Array, at: number, needle: Uint8Array): boolean {
  if (at + needle.length > hay.length) return false;
  for (let k = 0; k < needle.length; k++) if (hay[at + k] !== needle[k]) return false;
  return true;
}

/** Splits one line at `pos`: the line (without CR LF) and the start of the rest. */
function getLine(data: Uint8Array, pos: number): { start: number; end: number; next: number } {
  const nl = data.indexOf(0x0a, pos);
  if (nl < 0) return { start: pos, end: data.length, next: data.length };
  const end = nl > pos && data[nl - 1] === 0x0d ? nl - 1 : nl;
  return { start: pos, end, next: nl + 1 };
}

function trimRightBlanks(data: Uint8Array, start: number, end: number): number {
  while (end > start && (data[end - 1] === 0x20 || data[end - 1] === 0x09)) end--;
  return end;
}

/**
 * Finds and decodes a clear-signed message as go-crypto's `clearsign.Decode` does.
 *
 * @param data - the signature object's bytes
 * @returns the block, or undefined when there is none
 */
export function decodeClearsign(data: Uint8Array): ClearsignBlock | undefined {
  let pos: number;
  if (startsWith(data, 0, START.subarray(1))) pos = START.length - 1;
  else {
    const i = indexOf(data, START);
    if (i < 0) return undefined;
    pos = i + START.length;
  }
  let l = getLine(data, pos);
  if (l.end !== l.start) return undefined;
  pos = l.next;
  const hashHeaders: string[] = [];
  for (;;) {
    if (pos >= data.length) return undefined;
    l = getLine(data, pos);
    pos = l.next;
    if (l.end === l.start) break;
    const line = data.subarray(l.start, l.end);
    if (line.some((c) => c < 0x20 || c > 0x7e)) return undefined;
    const text = new TextDecoder().decode(line);
    const colon = text.indexOf(':');
    if (colon < 0 || text.slice(0, colon).trim() !== 'Hash') return undefined;
    for (const v of text.slice(colon + 1).split(',')) hashHeaders.push(v.trim());
  }
  const bytes: number[] = [];
  const plain: number[] = [];
  let first = true;
  for (;;) {
    const lineStart = pos;
    l = getLine(data, pos);
    pos = l.next;
    if (l.end === l.start && pos >= data.length) return undefined;
    if (l.end - l.start === END_TEXT.length && startsWith(data, l.start, END_TEXT)) {
      pos = lineStart;
      break;
    }
    if (first) first = false;
    else bytes.push(0x0d, 0x0a);
    let s = l.start;
    if (data[s] === 0x2d && data[s + 1] === 0x20) s += 2;
    const e = trimRightBlanks(data, s, l.end);
    for (let k = s; k < e; k++) {
      bytes.push(data[k]!);
      plain.push(data[k]!);
    }
    plain.push(0x0a);
  }
  const endAt = indexOf(data, END, pos);
  if (endAt < 0) return undefined;
  let stop = endAt + END.length;
  while (stop < data.length && (data[stop] === 0x0d || data[stop] === 0x0a)) stop++;
  const armoredSignature = new TextDecoder().decode(data.subarray(pos, stop));
  // go-crypto's armor.Decode must get past the BEGIN line and headers, or there is no block.
  if (!decodeArmor(armoredSignature)) return undefined;
  return { bytes: Uint8Array.from(bytes), plaintext: Uint8Array.from(plain), hashHeaders, armoredSignature };
}

/** The parts of openpgp.js packet objects used here (its published types hide some of them). */
interface KeyIDLike {
  isNull(): boolean;
  toHex(): string;
}
interface LiteralLike {
  setText(text: string): void;
}
interface SignatureLike {
  issuerKeyID: KeyIDLike;
  hashAlgorithm: number;
  signatureType: number;
  getExpirationTime(): Date | number;
  verify(key: unknown, type: number, data: LiteralLike, date: Date | null, detached: boolean, config: unknown): Promise<void>;
}
interface SignerLike {
  signatureType: number | null;
  publicKeyAlgorithm: number | null;
  hashAlgorithm: number | null;
  issuerKeyID: unknown;
  issuerFingerprint: Uint8Array | null;
  sign(key: unknown, data: LiteralLike, date: Date, detached: boolean, config: unknown): Promise<void>;
}

/** Hash algorithms the reference accepts in a clear-signature (go-crypto ids: SHA-224/256/384/512). */
const ACCEPTED_HASHES = new Set([8, 9, 10, 11]);

/** The outcome of checking a clear-signature. */
export interface ClearsignVerification {
  /** The signed plaintext (lines + LF). */
  plaintext: Uint8Array;
  /** The signer. */
  signer: PgpSigner;
}

/**
 * Verifies a clear-signed block against a keyring with go-crypto's rules: take the signature packets
 * in order until one's issuer is in the keyring (keys by ID, with signing usage if flags are
 * present), require SHA-224/256/384/512, check the signature, then revocation and expiry at now.
 *
 * @param block - the decoded block
 * @param keyring - the keys to trust
 * @returns the plaintext and the signer
 * @throws SifError `UNKNOWN_SIGNER` or `SIGNATURE_NOT_VALID`, with the reference's texts
 */
export async function verifyClearsign(block: ClearsignBlock, keyring: PgpKeyring): Promise<ClearsignVerification> {
  const openpgp = await loadOpenPGP();
  const invalid = (msg: string, cause?: unknown): never => {
    throw sifError('SIGNATURE_NOT_VALID', msg, { cause });
  };
  const armor = decodeArmor(block.armoredSignature);
  if (!armor) return invalid('openpgp: invalid data: armor invalid');
  const split = splitPackets(armor.body);
  // go-crypto reads packets one at a time and stops at the first usable signature: an armor or
  // packet error only matters if it gets that far.
  const failAtEnd = (): never =>
    invalid(armor.error ?? (split.incomplete ? 'unexpected EOF' : 'openpgp: signature made by unknown entity'));
  let chosen: { sig: SignatureLike; candidates: { key: PgpKey; entry: number; keyPacket: import('openpgp').PublicKeyPacket | import('openpgp').PublicSubkeyPacket }[] } | undefined;
  for (const raw of split.packets) {
    if (raw.tag !== openpgp.enums.packet.signature) invalid('openpgp: invalid data: non signature packet found');
    let sig: SignatureLike;
    try {
      const list = await openpgp.PacketList.fromBinary(raw.bytes, { [openpgp.enums.packet.signature]: openpgp.SignaturePacket } as never, {
        ...openpgp.config,
        ignoreUnsupportedPackets: false,
        ignoreMalformedPackets: false,
      });
      sig = list[0] as unknown as SignatureLike;
      if (!sig) throw new Error('empty packet');
    } catch (e) {
      return invalid(`openpgp: invalid signature: ${(e as Error).message}`, e);
    }
    if (!sig.issuerKeyID || sig.issuerKeyID.isNull()) invalid("openpgp: invalid data: signature doesn't have an issuer");
    if (!ACCEPTED_HASHES.has(sig.hashAlgorithm)) invalid('openpgp: invalid data: hash algorithm mismatch with cleartext message headers');
    const candidates: NonNullable<typeof chosen>['candidates'] = [];
    for (const [entry, { key }] of keyring.entries.entries()) {
      for (const k of key.getKeys(sig.issuerKeyID as never)) {
        if (!(await canSign(k, key))) continue;
        candidates.push({ key, entry, keyPacket: k.keyPacket as never });
      }
    }
    if (candidates.length > 0) {
      chosen = { sig, candidates };
      break;
    }
  }
  if (!chosen) {
    if (armor.error || split.incomplete) failAtEnd();
    throw sifError('UNKNOWN_SIGNER', 'openpgp: signature made by unknown entity');
  }
  const literal = new openpgp.LiteralDataPacket() as unknown as LiteralLike;
  literal.setText(new TextDecoder().decode(block.bytes));
  let lastErr: unknown;
  for (const c of chosen.candidates) {
    try {
      await chosen.sig.verify(c.keyPacket, chosen.sig.signatureType, literal, null, false, {
        ...openpgp.config,
        rejectMessageHashAlgorithms: new Set(),
        rejectHashAlgorithms: new Set(),
      });
    } catch (e) {
      lastErr = e;
      continue;
    }
    const entry = keyring.entries[c.entry]!;
    const now = new Date();
    const signer = await signerOf(c.key, chosen.sig.issuerKeyID.toHex(), entry.source, entry.path);
    if (await c.key.isRevoked(undefined, undefined, now).catch(() => false)) {
      throw sifError('SIGNATURE_NOT_VALID', 'openpgp: key revoked', { cause: signer });
    }
    const exp = chosen.sig.getExpirationTime();
    if (exp !== Infinity && now.getTime() >= +exp) throw sifError('SIGNATURE_NOT_VALID', 'openpgp: signature expired');
    const keyExp = await c.key.getExpirationTime().catch(() => null);
    if (keyExp instanceof Date && now >= keyExp) throw sifError('SIGNATURE_NOT_VALID', 'openpgp: key expired');
    return { plaintext: block.plaintext, signer };
  }
  throw sifError('SIGNATURE_NOT_VALID', `openpgp: invalid signature: ${goCryptoReason(lastErr, chosen.sig)}`, { cause: lastErr });
}

/** go-crypto's wording for a failed signature check (openpgp.js words it differently). */
function goCryptoReason(e: unknown, sig: SignatureLike & { publicKeyAlgorithm?: number }): string {
  const msg = (e as Error | undefined)?.message ?? '';
  if (/Signed digest did not match/.test(msg)) return "hash tag doesn't match";
  if (/Signature verification failed/.test(msg)) {
    switch (sig.publicKeyAlgorithm) {
      case 1:
      case 2:
      case 3:
        return 'RSA verification failure';
      case 17:
        return 'DSA verification failure';
      case 19:
        return 'ECDSA verification failure';
      case 22:
      case 27:
        return 'EdDSA verification failure';
    }
  }
  return msg || 'verification failure';
}

async function canSign(k: PgpKey | import('openpgp').Subkey, key: PgpKey): Promise<boolean> {
  // go-crypto: keys whose (primary identity / binding) self-signature carries key flags must allow signing;
  // keys without flags are accepted.
  const openpgp = await loadOpenPGP();
  let flags: number | undefined;
  if ((k as PgpKey) === key) {
    try {
      const { selfCertification } = await key.getPrimaryUser(null as unknown as Date);
      flags = selfCertification.keyFlags?.[0];
    } catch {
      flags = undefined;
    }
  } else {
    const sub = k as import('openpgp').Subkey;
    const binding = sub.bindingSignatures[sub.bindingSignatures.length - 1];
    flags = binding?.keyFlags?.[0];
  }
  return flags === undefined || (flags & openpgp.enums.keyFlags.signData) !== 0;
}

/** Options for {@link signClearsign}. */
export interface ClearsignOptions {
  /** Signature creation time (default now). */
  date?: Date;
  /** Add openpgp.js's random salt notation (go-crypto adds one by default; deterministic output needs none). */
  salt?: boolean;
}

/**
 * The packet a key signs with, chosen as GnuPG chooses it: the newest valid signing-capable subkey,
 * else the primary key when it may sign. A revoked or expired key, or one with no usable signing key,
 * is refused with the reason (the reference would sign, and its own verify would then fail).
 *
 * @param key - a private key
 * @returns its signing key packet
 * @throws SifError `KEY_INVALID`
 */
export async function signingKeyOf(key: PgpPrivateKey): Promise<import('openpgp').SecretKeyPacket | import('openpgp').SecretSubkeyPacket> {
  const fp = key.getFingerprint().toUpperCase();
  const now = new Date();
  if (await key.isRevoked(undefined, undefined, now).catch(() => false)) throw sifError('KEY_INVALID', `key ${fp} is revoked: it cannot sign`);
  const exp = await key.getExpirationTime().catch(() => null);
  if (exp instanceof Date && exp <= now) throw sifError('KEY_INVALID', `key ${fp} expired on ${exp.toISOString()}: it cannot sign`);
  try {
    const k = await key.getSigningKey(undefined, now);
    return k.keyPacket as import('openpgp').SecretKeyPacket | import('openpgp').SecretSubkeyPacket;
  } catch (e) {
    throw sifError('KEY_INVALID', `key ${fp} has no valid signing key (no signing-capable primary key or subkey)`, { cause: e });
  }
}

function armorBase64(bytes: Uint8Array): string {
  let b64 = '';
  // btoa needs a binary string
  let bin = '';
  for (const x of bytes) bin += String.fromCharCode(x);
  b64 = btoa(bin);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return lines.join('\n');
}

/**
 * Clear-signs text with the reference's output layout: `Hash: SHA256` header, dash-escaping, a v4
 * text signature (SHA-256) with creation time, issuer key ID and issuer fingerprint subpackets,
 * armored without a checksum line and without a final newline. The signature is made by the key's
 * signing key as GnuPG chooses it (see {@link signingKeyOf}): the newest valid signing subkey, else
 * the primary key.
 *
 * @param text - the message (the compact JSON)
 * @param key - a decrypted private key
 * @param opts - date and salt
 * @returns the clear-signed message bytes
 */
export async function signClearsign(text: string, key: PgpPrivateKey, opts: ClearsignOptions = {}): Promise<Uint8Array> {
  const openpgp = await loadOpenPGP();
  const date = opts.date ?? new Date();
  const signer = await signingKeyOf(key);
  if (!signer.isDecrypted()) throw sifError('KEY_LOCKED', 'private key is encrypted: decrypt it first');
  const sig = new openpgp.SignaturePacket() as unknown as SignerLike;
  sig.signatureType = openpgp.enums.signature.text;
  sig.publicKeyAlgorithm = signer.algorithm;
  sig.hashAlgorithm = openpgp.enums.hash.sha256;
  sig.issuerKeyID = signer.getKeyID();
  sig.issuerFingerprint = signer.getFingerprintBytes()!;
  const lines = text.split('\n').map((l) => l.replace(/[ \t]+$/, ''));
  const canonical = lines.join('\n');
  const literal = new (openpgp.LiteralDataPacket as unknown as new (d: Date) => LiteralLike)(date);
  literal.setText(canonical);
  const config = { ...openpgp.config, nonDeterministicSignaturesViaNotation: opts.salt === true };
  await sig.sign(signer, literal, date, false, config);
  const list = new openpgp.PacketList();
  list.push(sig as never);
  const body = armorBase64(list.write() as Uint8Array);
  const escaped = lines.map((l) => (l.startsWith('-') ? `- ${l}` : l)).join('\n');
  return enc.encode(
    `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n${escaped}\n-----BEGIN PGP SIGNATURE-----\n\n${body}\n-----END PGP SIGNATURE-----`,
  );
}
