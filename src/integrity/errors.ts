/**
 * The reference's integrity error texts, as typed {@link SifError}s.
 *
 * @module
 */
import { sifError, type SifError, type SifErrorCode } from '../errors.js';

/** `signature not found for object group N` / `… for object N`. */
export function signatureNotFound(id: number, isGroup: boolean): SifError {
  const msg = id === 0 ? 'signature not found' : isGroup ? `signature not found for object group ${id}` : `signature not found for object ${id}`;
  return sifError('SIGNATURE_NOT_FOUND', msg, isGroup ? { groupId: id } : { objectId: id });
}

/**
 * `signature object N not valid: <cause>`; the code is `UNKNOWN_SIGNER` when the signer's key was not
 * supplied, else `SIGNATURE_NOT_VALID`.
 */
export function signatureNotValid(sigId: number, cause: unknown): SifError {
  const inner = cause instanceof Error ? cause.message : cause === undefined ? '' : String(cause);
  const code: SifErrorCode = (cause as SifError | undefined)?.code === 'UNKNOWN_SIGNER' ? 'UNKNOWN_SIGNER' : 'SIGNATURE_NOT_VALID';
  const head = sigId === 0 ? 'signature not valid' : `signature object ${sigId} not valid`;
  return sifError(code, inner ? `${head}: ${inner}` : head, { signatureId: sigId, cause });
}

/** `data object descriptor integrity compromised: N`. */
export function descriptorIntegrity(id: number): SifError {
  return sifError('DESCRIPTOR_INTEGRITY', id === 0 ? 'data object descriptor integrity compromised' : `data object descriptor integrity compromised: ${id}`, {
    objectId: id,
  });
}

/** `data object integrity compromised: N`. */
export function objectIntegrity(id: number): SifError {
  return sifError('OBJECT_INTEGRITY', id === 0 ? 'data object integrity compromised' : `data object integrity compromised: ${id}`, {
    objectId: id,
  });
}

/** Which error kind of the reference (as sif-ref names them) a code belongs to. */
export function referenceKind(code: SifErrorCode): 'SignatureNotValid' | 'SignatureNotFound' | 'NoKeyMaterial' | undefined {
  switch (code) {
    case 'SIGNATURE_NOT_VALID':
    case 'UNKNOWN_SIGNER':
      return 'SignatureNotValid';
    case 'SIGNATURE_NOT_FOUND':
      return 'SignatureNotFound';
    case 'NO_KEY_MATERIAL':
      return 'NoKeyMaterial';
    default:
      return undefined;
  }
}
