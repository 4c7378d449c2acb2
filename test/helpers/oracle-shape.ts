import type { VerifyReport } from '../../src/integrity/verify.js';
import { referenceKind } from '../../src/integrity/errors.js';

/** The JSON sif-ref prints for `verify`, rebuilt from a sifkit report (same field order). */
export interface OracleVerify {
  ok: boolean;
  error?: string;
  errorKind?: string;
  results: { signature: number; verified: number[] | null; fingerprint?: string; identities?: string[]; error?: string }[] | null;
}

/** Converts a sifkit verify report into sif-ref's JSON shape. */
export function toOracleShape(rep: VerifyReport): OracleVerify {
  // Signatures whose format was not recognized, or that no key given could check, are listed in
  // sifkit's report but never reach the reference's result callback.
  const checked = rep.results.filter((r) => r.format !== 'unknown' && r.error?.code !== 'NO_KEY_MATERIAL');
  const results = checked.map((r) => ({
    signature: r.signature.id,
    verified: r.verified.length ? r.verified.map((d) => d.id) : null,
    ...(r.signer ? { fingerprint: r.signer.fingerprint, identities: r.signer.identities } : {}),
    ...(r.error ? { error: r.error.message } : {}),
  }));
  const out: OracleVerify = { ok: rep.verified, results: results.length ? results : null };
  const e = rep.errors[0];
  if (e) {
    out.error = `integrity: ${e.message}`;
    const kind = referenceKind(e.code);
    if (kind) out.errorKind = kind;
  }
  return out;
}

/** Drops what go-crypto leaves unset on failure paths (the entity on errors) for comparison. */
export function normalizeOracle(o: OracleVerify): OracleVerify {
  return {
    ok: o.ok,
    ...(o.error !== undefined ? { error: o.error } : {}),
    ...(o.errorKind !== undefined ? { errorKind: o.errorKind } : {}),
    results:
      o.results?.map((r) => ({
        signature: r.signature,
        verified: r.verified,
        ...(r.fingerprint ? { fingerprint: r.fingerprint } : {}),
        ...(r.identities ? { identities: [...r.identities].sort() } : {}),
        ...(r.error ? { error: r.error } : {}),
      })) ?? null,
  };
}

/**
 * sif-ref is built on Debian's sylabs/sif 2.8.3, which predates format detection (v2.9.0): it
 * sends every signature to the clear-sign decoder, so a signature that is neither DSSE nor
 * clear-signed fails there ("signature object N not valid: clearsigned message not found", reported
 * through the callback) where v2.9.0+ (and sifkit) stop with "signature format not recognized" — and a
 * DSSE envelope, which 2.8.3 does not know, fails the same way there.
 * This maps sifkit's v2.24 answer to the 2.8.3 one for that one documented case.
 */
export function asV283(rep: VerifyReport, shape: OracleVerify): OracleVerify {
  const e = rep.errors[0];
  const dsseWithoutKeys = e?.code === 'NO_KEY_MATERIAL' && /DSSE/.test(e.message);
  if ((e?.code !== 'FORMAT_NOT_RECOGNIZED' && !dsseWithoutKeys) || e.signatureId === undefined) return shape;
  const error = `signature object ${e.signatureId} not valid: clearsigned message not found`;
  return {
    ok: false,
    error: `integrity: ${error}`,
    errorKind: 'SignatureNotValid',
    results: [...(shape.results ?? []), { signature: e.signatureId, verified: null, error }],
  };
}

/**
 * For comparisons on damaged signature packets: the detail after "signature object N not valid: "
 * comes from the OpenPGP library (go-crypto there, openpgp.js here) and is worded differently for
 * malformed armor and packets. The kind, the signature and everything else must match.
 */
export function coarseSignatureDetail(o: OracleVerify): OracleVerify {
  const cut = (e: string | undefined): string | undefined =>
    e?.replace(/(signature object \d+ not valid): (?:openpgp: |illegal base64|unexpected EOF|EOF).*$/s, '$1: <openpgp detail>');
  return {
    ...o,
    ...(o.error !== undefined ? { error: cut(o.error)! } : {}),
    results: o.results?.map((r) => ({ ...r, ...(r.error !== undefined ? { error: cut(r.error)! } : {}) })) ?? null,
  };
}
