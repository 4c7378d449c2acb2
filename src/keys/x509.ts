/**
 * X.509 certificates for `verify --certificate` (Node: node:crypto's `X509Certificate`), checked as
 * SingularityCE checks them (Go's `Certificate.Verify` with the code-signing usage): a chain from
 * the certificate through the given intermediates to one of the roots (the system's when none are
 * given), every certificate within its validity period now, issuers that are CAs, signatures that
 * verify, and an extended key usage that allows code signing all along the chain. Errors carry Go's
 * wording. The certificate's public key then verifies DSSE signatures as a PEM key would.
 *
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { sifError } from '../errors.js';
import { readPemPublicKey, type PemPublicKey } from './pem.js';

const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const ANY_EKU = '2.5.29.37.0';
const MAX_CHAIN = 10;

/** Options for {@link verifyCertificate}. */
export interface CertificateVerifyOptions {
  /** Intermediate CA certificates. */
  intermediates?: readonly X509Certificate[];
  /** Trusted roots (default: the system's). */
  roots?: readonly X509Certificate[];
  /** The time to check validity at (default now, as the reference does). */
  now?: Date;
}

/**
 * The certificates in PEM text (a bundle).
 *
 * @param text - PEM text
 * @param what - the file, for messages
 * @returns the certificates, in order
 * @throws SifError `KEY_INVALID` when there is none or one does not parse
 */
export function readCertificates(text: string, what: string): X509Certificate[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw sifError('KEY_INVALID', `${what}: no PEM certificate found`);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (e) {
      throw sifError('KEY_INVALID', `${what}: certificate ${i + 1} does not parse: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  });
}

const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Go's message for a certificate outside its validity period, or undefined. */
function validityError(c: X509Certificate, now: Date): string | undefined {
  const from = new Date(c.validFrom);
  const to = new Date(c.validTo);
  if (now < from) return `x509: certificate has expired or is not yet valid: current time ${rfc3339(now)} is before ${rfc3339(from)}`;
  if (now > to) return `x509: certificate has expired or is not yet valid: current time ${rfc3339(now)} is after ${rfc3339(to)}`;
  return undefined;
}

const allowsCodeSigning = (c: X509Certificate): boolean => {
  const eku = c.keyUsage;
  return eku === undefined || eku.length === 0 || eku.includes(CODE_SIGNING) || eku.includes(ANY_EKU);
};

const issuedBy = (c: X509Certificate, issuer: X509Certificate): boolean => {
  try {
    return c.checkIssued(issuer) && c.verify(issuer.publicKey);
  } catch {
    return false;
  }
};

/**
 * Verifies a certificate as the reference does before using its key.
 *
 * @param cert - the signer's certificate
 * @param opts - intermediates, roots, time
 * @returns the first valid chain, leaf first, root last
 * @throws SifError `CERTIFICATE_INVALID` with Go's message (unknown authority, expired or not yet
 *   valid, incompatible key usage)
 */
export function verifyCertificate(cert: X509Certificate, opts: CertificateVerifyOptions = {}): X509Certificate[] {
  const now = opts.now ?? new Date();
  const roots = opts.roots ?? rootCertificates.map((p) => new X509Certificate(p));
  const inters = opts.intermediates ?? [];
  const expired = validityError(cert, now);
  if (expired) throw sifError('CERTIFICATE_INVALID', expired);
  const chains: X509Certificate[][] = [];
  const extend = (chain: X509Certificate[]): void => {
    const c = chain[chain.length - 1]!;
    if (roots.some((r) => r.fingerprint256 === c.fingerprint256)) {
      chains.push(chain);
      return;
    }
    for (const r of roots) {
      if (issuedBy(c, r) && !validityError(r, now)) chains.push([...chain, r]);
    }
    if (chain.length >= MAX_CHAIN) return;
    for (const i of inters) {
      if (chain.some((x) => x.fingerprint256 === i.fingerprint256)) continue;
      if (i.ca && issuedBy(c, i) && !validityError(i, now)) extend([...chain, i]);
    }
  };
  extend([cert]);
  if (chains.length === 0) throw sifError('CERTIFICATE_INVALID', 'x509: certificate signed by unknown authority');
  const good = chains.find((chain) => chain.every(allowsCodeSigning));
  if (!good) throw sifError('CERTIFICATE_INVALID', 'x509: certificate specifies an incompatible key usage');
  return good;
}

/**
 * The certificate's public key as a DSSE verification key.
 *
 * @param cert - the certificate
 * @param what - its file, for messages
 * @returns the key
 */
export function certificateKey(cert: X509Certificate, what: string): Promise<PemPublicKey> {
  const spki = cert.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  return readPemPublicKey(new TextEncoder().encode(spki), what);
}
