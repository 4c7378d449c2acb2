/**
 * singularity's `verify` output — the per-signature text block, the `--json` document — and sifkit's
 * full JSON report. Pure functions of verification results.
 *
 * @module
 */
import { goMarshalIndent } from '../integrity/gojson.js';
import { isSifError, type SifError } from '../errors.js';
import type { ObjectDescriptor, SifImage } from '../image/image.js';
import { DataType } from '../format/types.js';
import { logLine } from './log.js';
import type { VerifyReport, VerifyResult } from '../integrity/verify.js';
import type { KeySource } from '../keys/pgp.js';
import { padRight } from './text.js';

/** Output style: the SingularityPRO/CE 3.x form, CE 4.x, or Apptainer. */
export type VerifyStyle = 'ce3' | 'ce4' | 'apptainer';

const LABEL: Record<KeySource, { text: string; color: string }> = {
  local: { text: '[LOCAL]', color: '\x1b[32m' },
  global: { text: '[GLOBAL]', color: '\x1b[36m' },
  remote: { text: '[REMOTE]', color: '\x1b[33m' },
};

/**
 * The `%-18v` label column, counting ANSI bytes when coloured (singularity's quirk).
 *
 * @param source - key source
 * @param color - whether stdout gets colour
 * @returns the padded label and the space after it
 */
export function labelColumn(source: KeySource, color: boolean): string {
  const l = LABEL[source];
  const s = color ? `${l.color}${l.text}\x1b[0m` : l.text;
  return `${padRight(s, 18)} `;
}

function linkText(d: ObjectDescriptor): string {
  const l = d.link;
  if (l.id === 0) return 'NONE';
  return l.isGroup ? `${l.id} (G)` : String(l.id);
}

/**
 * One result's block on stdout: signer lines, the objects table, the error line.
 *
 * @param r - the result
 * @param color - colour the label
 * @returns the text, and whether the "Primary identity unknown" warning applies
 */
export function formatResultText(r: VerifyResult, color: boolean): { text: string; identityUnknown: boolean } {
  let s = '';
  let identityUnknown = false;
  if (r.signer) {
    const label = labelColumn(r.signer.source, color);
    if (r.signer.identity !== undefined) s += `${label}Signing entity: ${r.signer.identity}\n`;
    else identityUnknown = true;
    s += `${label}Fingerprint: ${r.signer.fingerprint}\n`;
  }
  if (r.verified.length > 0) {
    s += 'Objects verified:\n';
    s += `${padRight('ID', 4)}|${padRight('GROUP', 8)}|${padRight('LINK', 8)}|TYPE\n`;
    s += `${'-'.repeat(48)}\n`;
    for (const d of r.verified) {
      s += `${padRight(d.id, 4)}|${padRight(d.groupId === 0 ? 'NONE' : d.groupId, 8)}|${padRight(linkText(d), 8)}|${d.dataTypeName}\n`;
    }
  }
  if (r.error) s += `\nError encountered during signature verification: ${r.error.message}\n`;
  return { text: s, identityUnknown };
}

/**
 * JSON text as Go's `json.Encoder` with two-space indent writes it (HTML characters escaped, newline).
 *
 * @param v - the value
 * @returns the text
 */
export function goJson(v: unknown): string {
  return goMarshalIndent(v, '  ');
}

interface SignerEntry {
  Signer: { Partition: string; Name: string; Fingerprint: string; KeyLocal: boolean; KeyCheck: boolean; DataCheck: boolean };
}

/**
 * singularity's `verify --json` document: one entry per verified object, plus a `DataCheck: false`
 * entry for an object whose data failed its digest.
 *
 * @param results - results in order
 * @param objectOf - looks up an object by ID (for the failing object's type)
 * @returns the JSON text
 */
export function singularityJson(results: readonly VerifyResult[], objectOf: (id: number) => ObjectDescriptor | undefined): string {
  const keys: SignerEntry[] = [];
  for (const r of results) {
    const entry = (d: ObjectDescriptor | undefined, dataCheck: boolean): SignerEntry => ({
      Signer: {
        Partition: d?.dataTypeName ?? 'Unknown',
        Name: r.signer?.identity ?? 'unknown',
        Fingerprint: r.signer ? r.signer.fingerprint.toLowerCase() : '',
        KeyLocal: r.signer?.source === 'local',
        KeyCheck: r.signer !== undefined,
        DataCheck: dataCheck,
      },
    });
    for (const d of r.verified) keys.push(entry(d, true));
    if (r.error?.code === 'OBJECT_INTEGRITY' && r.error.objectId) keys.push(entry(objectOf(r.error.objectId), false));
  }
  return goJson({ Signatures: results.length, SignerKeys: keys.length ? keys : null });
}

function errorJson(e: SifError): Record<string, unknown> {
  return {
    code: e.code,
    message: e.message,
    ...(e.objectId !== undefined ? { objectId: e.objectId } : {}),
    ...(e.signatureId !== undefined ? { signatureId: e.signatureId } : {}),
    ...(e.groupId !== undefined ? { groupId: e.groupId } : {}),
  };
}

/**
 * sifkit's full report for an image that could not be opened or loaded.
 *
 * @param image - the image path
 * @param e - what went wrong
 * @returns the JSON text
 */
export function loadFailureJson(image: string, e: unknown): string {
  return JSON.stringify({ image, verified: false, signatures: [], errors: [anyErrorJson(e)] }, null, 2) + '\n';
}

/**
 * singularity's `--json` document for a verification that could not start (no image, no keys):
 * no signatures, and — an addition singularity has no need for, since it prints no JSON then — the
 * error's code and message.
 *
 * @param e - what went wrong
 * @returns the JSON text
 */
export function singularityFailureJson(e: unknown): string {
  const { code, message } = anyErrorJson(e) as { code: string; message: string };
  return goJson({ Signatures: 0, SignerKeys: null, Error: { Code: code, Message: message } });
}

function anyErrorJson(e: unknown): Record<string, unknown> {
  return isSifError(e) ? errorJson(e) : { code: 'IO_ERROR', message: e instanceof Error ? e.message : String(e) };
}

/**
 * sifkit's full report: every signature, every object, typed error codes.
 *
 * @param image - the image path
 * @param report - the verification report
 * @returns the JSON text
 */
export function fullReportJson(image: string, report: VerifyReport): string {
  const obj = (d: ObjectDescriptor): Record<string, unknown> => ({ id: d.id, group: d.groupId, link: linkText(d), type: d.dataTypeName });
  return (
    JSON.stringify(
      {
        image,
        verified: report.verified,
        signatures: report.results.map((r) => ({
          id: r.signature.id,
          format: r.format,
          descriptorFingerprint: r.descriptorFingerprint ?? null,
          signer: r.signer
            ? { fingerprint: r.signer.fingerprint, identity: r.signer.identity ?? null, keyId: r.signer.keyId, source: r.signer.source, file: r.signer.path ?? null }
            : null,
          keys: r.keys?.map((k) => ({ keyId: k.keyId, type: k.type, file: k.path ?? null })) ?? null,
          verifiedObjects: r.verified.map(obj),
          error: r.error ? errorJson(r.error) : null,
        })),
        errors: report.errors.map(errorJson),
      },
      null,
      2,
    ) + '\n'
  );
}

/**
 * What the FATAL line adds to an error: which key an unknown signer names, or that only legacy
 * signatures exist.
 *
 * @param img - the image
 * @param e - the first error
 * @param results - the results
 * @returns the hint text, with its leading space, or ''
 */
export function failureHint(img: SifImage, e: SifError, results: readonly VerifyResult[]): string {
  if (e.code === 'UNKNOWN_SIGNER') {
    const fp = results.find((r) => r.signature.id === e.signatureId)?.descriptorFingerprint;
    return fp ? ` (the signature names key ${fp}, which is not among the keys given)` : '';
  }
  if (e.code === 'SIGNATURE_NOT_FOUND') {
    const legacy = img.objects().some((d) => d.dataType === DataType.Signature && d.link.id !== 0 && !d.link.isGroup);
    return legacy ? ' (the image has only legacy signatures: verify them with --legacy-insecure)' : '';
  }
  return '';
}

/**
 * The results singularity prints: up to and including the first that failed (it stops there).
 *
 * @param results - every result, in order
 * @returns those shown
 */
export function shownResults<T extends { error?: unknown }>(results: readonly T[]): readonly T[] {
  const firstFail = results.findIndex((r) => r.error);
  return firstFail >= 0 ? results.slice(0, firstFail + 1) : results;
}

/**
 * Why a report is not verified, as the FATAL line words it after "to verify container: ".
 *
 * @param img - the image
 * @param rep - a report that did not verify
 * @returns the text
 */
export function failureText(img: SifImage, rep: VerifyReport): string {
  const e = rep.errors[0]!;
  return `${isSifError(e, 'IO_ERROR') ? '' : 'integrity: '}${e.message}${failureHint(img, e, rep.results)}`;
}

/**
 * The whole text `sifkit verify IMAGE` (singularity 3's style, no colour) prints for a report, stdout
 * and stderr lines in their order: what the web page shows, and the same functions the CLI streams.
 *
 * @param name - the image's name as given
 * @param img - the image
 * @param rep - the report (made without `continueOnError`)
 * @returns the transcript
 */
export function verifyTranscript(name: string, img: SifImage, rep: VerifyReport): string {
  let s = `Verifying image: ${name}\n`;
  // singularity stops at the first failing signature.
  for (const r of shownResults(rep.results)) {
    const { text, identityUnknown } = formatResultText(r, false);
    if (identityUnknown) s += logLine('WARNING', 'Primary identity unknown');
    s += text;
  }
  if (!rep.verified) {
    return s + logLine('FATAL', `Failed to verify container: ${failureText(img, rep)}`);
  }
  return s + `Container verified: ${name}\n`;
}
