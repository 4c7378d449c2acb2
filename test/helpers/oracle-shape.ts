import type { VerifyReport } from '../../src/integrity/verify.js';
import { referenceKind } from '../../src/integrity/errors.js';

/** The JSON sif-oracle prints for `verify`, rebuilt from a sifkit report (same field order). */
export interface OracleVerify {
  ok: boolean;
  error?: string;
  errorKind?: string;
  results: { signature: number; verified: number[] | null; fingerprint?: string; identities?: string[]; error?: string }[] | null;
}

/** Converts a sifkit verify report into sif-oracle's JSON shape. */
export function toOracleShape(rep: VerifyReport): OracleVerify {
  const results = rep.results.map((r) => ({
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
