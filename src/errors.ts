/**
 * The one error family of sifkit. Every failure the library reports is a {@link SifError} whose
 * `code` is a stable string literal callers can branch on; the message names the object or field.
 *
 * @module
 */

/** Codes for malformed or unreadable images (format layer and loader). */
export type FormatErrorCode =
  | 'TRUNCATED'
  | 'BAD_MAGIC'
  | 'BAD_VERSION'
  | 'BAD_HEADER_FIELD'
  | 'BAD_DESCRIPTOR_FIELD'
  | 'OUT_OF_BOUNDS'
  | 'OVERLAPPING_OBJECTS'
  | 'BAD_METADATA'
  | 'TOO_LARGE';

/** Codes for invalid requests against an image (selection, creation, modification). */
export type ImageErrorCode =
  | 'OBJECT_NOT_FOUND'
  | 'NO_OBJECTS'
  | 'INSUFFICIENT_CAPACITY'
  | 'INVALID_ARGUMENT'
  | 'UNEXPECTED_DATA_TYPE'
  | 'PRIMARY_PARTITION_EXISTS'
  | 'NOT_A_PARTITION'
  | 'NOT_A_SYSTEM_PARTITION'
  | 'IO_ERROR'
  | 'READ_ONLY'
  | 'EDIT_PENDING'
  | 'JOURNAL_REJECTED'
  | 'IMAGE_BUSY'
  | 'ABORTED';

/** Codes for signing and verification, one per error kind of the reference's integrity package. */
export type IntegrityErrorCode =
  | 'SIGNATURE_NOT_FOUND'
  | 'SIGNATURE_NOT_VALID'
  | 'HEADER_INTEGRITY'
  | 'DESCRIPTOR_INTEGRITY'
  | 'OBJECT_INTEGRITY'
  | 'FINGERPRINT_MISMATCH'
  | 'UNKNOWN_SIGNER'
  | 'NO_KEY_MATERIAL'
  | 'FORMAT_NOT_RECOGNIZED'
  | 'OBJECT_NOT_SIGNED'
  | 'SIGNED_OBJECT_NOT_FOUND'
  | 'NO_GROUP'
  | 'GROUP_NOT_FOUND'
  | 'NO_GROUPS'
  | 'NO_OBJECTS_SPECIFIED'
  | 'UNEXPECTED_GROUP'
  | 'DIGEST_MALFORMED'
  | 'HASH_UNSUPPORTED'
  | 'MIN_ID_INVALID';

/** Codes for key material. */
export type KeyErrorCode = 'KEY_INVALID' | 'KEY_NOT_FOUND' | 'KEY_LOCKED' | 'BAD_PASSPHRASE' | 'KEY_UNSUPPORTED' | 'CERTIFICATE_INVALID';

/** Codes for the container file system (SquashFS reader, inspect, extract). */
export type FsErrorCode =
  | 'SQUASHFS_INVALID'
  | 'UNSUPPORTED_COMPRESSION'
  | 'UNSUPPORTED_FILESYSTEM'
  | 'PATH_NOT_FOUND'
  | 'NOT_A_DIRECTORY'
  | 'IS_A_DIRECTORY'
  | 'SYMLINK_LOOP'
  | 'UNSAFE_PATH';

/** Codes for network clients (keyservers): the server's answer, the connection, the response. */
export type ClientErrorCode =
  | 'HTTP_ERROR'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'RESPONSE_TOO_LARGE'
  | 'RESPONSE_INVALID'
  | 'TLS_REQUIRED'
  | 'INVALID_REFERENCE'
  | 'NOT_FOUND'
  | 'DOWNLOAD_HASH_MISMATCH'
  | 'AUTH_REQUIRED';

/** Every code sifkit can report. */
export type SifErrorCode = FormatErrorCode | ImageErrorCode | IntegrityErrorCode | KeyErrorCode | FsErrorCode | ClientErrorCode;

/** Options for {@link SifError}. */
export interface SifErrorOptions<C extends SifErrorCode> {
  /** The stable code. */
  code: C;
  /** Human-readable message naming the object or field. */
  message: string;
  /** The underlying error, if any. */
  cause?: unknown;
  /** The object the error is about, where there is one. */
  objectId?: number;
  /** The signature object the error is about, where there is one. */
  signatureId?: number;
  /** The group the error is about, where there is one. */
  groupId?: number;
}

/** The error class of sifkit. `code` is stable; `message` is for people. */
export class SifError<C extends SifErrorCode = SifErrorCode> extends Error {
  /** Stable string code. */
  readonly code: C;
  /** The object the error is about, where there is one. */
  readonly objectId: number | undefined;
  /** The signature object the error is about, where there is one. */
  readonly signatureId: number | undefined;
  /** The group the error is about, where there is one. */
  readonly groupId: number | undefined;

  constructor(opts: SifErrorOptions<C>) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SifError';
    this.code = opts.code;
    this.objectId = opts.objectId;
    this.signatureId = opts.signatureId;
    this.groupId = opts.groupId;
  }
}

/**
 * Shorthand to build a {@link SifError}.
 *
 * @param code - the stable code
 * @param message - the message
 * @param extra - cause and object references
 * @returns the error (not thrown)
 */
export function sifError<C extends SifErrorCode>(
  code: C,
  message: string,
  extra: Omit<SifErrorOptions<C>, 'code' | 'message'> = {},
): SifError<C> {
  return new SifError({ code, message, ...extra });
}

/**
 * Tells whether a value is a {@link SifError}, optionally with one of the given codes.
 *
 * @param e - any value
 * @param codes - codes to accept (any when empty)
 * @returns true when `e` is a SifError with an accepted code
 */
export function isSifError(e: unknown, ...codes: SifErrorCode[]): e is SifError {
  return e instanceof SifError && (codes.length === 0 || codes.includes(e.code));
}
