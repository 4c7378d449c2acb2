/**
 * Type-specific metadata in a descriptor's 384-byte `extra` field: declarative layouts for reading
 * and writing partition, signature, cryptographic message, SBOM and OCI digest metadata.
 *
 * @module
 */
import { sifError, type SifError } from '../errors.js';
import { EXTRA_SIZE, type RawDescriptor } from './descriptor.js';
import { DataType, archCode, archName, dataTypeName } from './types.js';

/** Partition metadata. */
export interface PartitionMetadata {
  /** File system type code ({@link FSType}). */
  fsType: number;
  /** Partition type code ({@link PartType}). */
  partType: number;
  /** Go architecture name, e.g. `amd64` (`unknown` for codes the reference does not know). */
  arch: string;
  /** The raw 3-byte arch field. */
  archRaw: Uint8Array;
}

/** Signature metadata. */
export interface SignatureMetadata {
  /** Hash type code ({@link HashType}). */
  hashType: number;
  /** The first 20 bytes of the entity field, or undefined when they are all zero. */
  fingerprint: Uint8Array | undefined;
}

/** Cryptographic message metadata. */
export interface CryptoMessageMetadata {
  /** Format type code. */
  formatType: number;
  /** Message type code. */
  messageType: number;
}

/** An OCI blob digest such as `sha256:…`. */
export interface OCIDigest {
  /** Algorithm name (`sha256`). */
  algorithm: string;
  /** Lower-case hex digest. */
  hex: string;
}

function unexpectedType(d: RawDescriptor, want: readonly number[]): SifError {
  return sifError(
    'UNEXPECTED_DATA_TYPE',
    `unexpected data type ${dataTypeName(d.dataType)}, expected one of: [${want.map(dataTypeName).join(' ')}]`,
    { objectId: d.id },
  );
}

function view(extra: Uint8Array): DataView {
  return new DataView(extra.buffer, extra.byteOffset, extra.byteLength);
}

/**
 * Reads partition metadata.
 *
 * @param d - a partition descriptor
 * @returns the metadata
 * @throws SifError `UNEXPECTED_DATA_TYPE` when `d` is not a partition
 */
export function readPartition(d: RawDescriptor): PartitionMetadata {
  if (d.dataType !== DataType.Partition) throw unexpectedType(d, [DataType.Partition]);
  const v = view(d.extra);
  const archRaw = d.extra.slice(8, 11);
  return { fsType: v.getInt32(0, true), partType: v.getInt32(4, true), arch: archName(archRaw), archRaw };
}

/** Supported signature hash codes (the reference rejects others with `hash algorithm unsupported`). */
const knownHashTypes = new Set([1, 2, 3, 4, 5]);

/**
 * Reads signature metadata.
 *
 * @param d - a signature descriptor
 * @returns hash type and fingerprint
 * @throws SifError `UNEXPECTED_DATA_TYPE`, or `BAD_METADATA` for an unknown hash type
 */
export function readSignature(d: RawDescriptor): SignatureMetadata {
  if (d.dataType !== DataType.Signature) throw unexpectedType(d, [DataType.Signature]);
  const hashType = view(d.extra).getInt32(0, true);
  if (!knownHashTypes.has(hashType)) {
    // The reference's exact text (verify output prints it); the object is in `objectId`.
    throw sifError('BAD_METADATA', 'hash algorithm unsupported', { objectId: d.id });
  }
  const fp = d.extra.slice(4, 24);
  return { hashType, fingerprint: fp.every((b) => b === 0) ? undefined : fp };
}

/**
 * Reads cryptographic message metadata.
 *
 * @param d - a crypto message descriptor
 * @returns format and message types
 * @throws SifError `UNEXPECTED_DATA_TYPE`
 */
export function readCryptoMessage(d: RawDescriptor): CryptoMessageMetadata {
  if (d.dataType !== DataType.CryptoMessage) throw unexpectedType(d, [DataType.CryptoMessage]);
  const v = view(d.extra);
  return { formatType: v.getInt32(0, true), messageType: v.getInt32(4, true) };
}

/**
 * Reads SBOM metadata.
 *
 * @param d - an SBOM descriptor
 * @returns the format code
 * @throws SifError `UNEXPECTED_DATA_TYPE`
 */
export function readSBOM(d: RawDescriptor): number {
  if (d.dataType !== DataType.SBOM) throw unexpectedType(d, [DataType.SBOM]);
  return view(d.extra).getInt32(0, true);
}

/**
 * Reads the OCI digest text (`sha256:<64 hex>`) of an OCI root index or blob.
 *
 * @param d - an OCI descriptor
 * @returns the digest
 * @throws SifError `UNEXPECTED_DATA_TYPE`, or `BAD_METADATA` when the text is not a sha256 digest
 */
export function readOCIDigest(d: RawDescriptor): OCIDigest {
  if (d.dataType !== DataType.OCIRootIndex && d.dataType !== DataType.OCIBlob) {
    throw unexpectedType(d, [DataType.OCIRootIndex, DataType.OCIBlob]);
  }
  const nul = d.extra.indexOf(0);
  const text = new TextDecoder().decode(d.extra.subarray(0, nul < 0 ? d.extra.length : nul));
  const parts = text.split(':');
  if (parts.length !== 2 || parts[0] !== 'sha256' || !/^[0-9a-f]{64}$/.test(parts[1]!)) {
    throw sifError('BAD_METADATA', `object ${d.id}: OCI digest ${JSON.stringify(text)} is not a sha256 digest`, {
      objectId: d.id,
    });
  }
  return { algorithm: parts[0]!, hex: parts[1]! };
}

function extraOf(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(EXTRA_SIZE);
  out.set(bytes);
  return out;
}

/**
 * Encodes partition metadata.
 *
 * @param fsType - file system type code
 * @param partType - partition type code
 * @param arch - Go architecture name (`amd64`) or a raw 3-byte arch field
 * @returns the 384-byte extra
 * @throws SifError `INVALID_ARGUMENT` for an unknown architecture
 */
export function encodePartition(fsType: number, partType: number, arch: string | Uint8Array): Uint8Array {
  const raw = typeof arch === 'string' ? archCode(arch) : arch;
  if (!raw) throw sifError('INVALID_ARGUMENT', `unknown architecture: ${String(arch)}`);
  const b = new Uint8Array(11);
  const v = new DataView(b.buffer);
  v.setInt32(0, fsType, true);
  v.setInt32(4, partType, true);
  b.set(raw.subarray(0, 3), 8);
  return extraOf(b);
}

/**
 * Encodes signature metadata.
 *
 * @param hashType - hash type code
 * @param fingerprint - signer fingerprint (up to 256 bytes; empty for none)
 * @returns the 384-byte extra
 */
export function encodeSignature(hashType: number, fingerprint: Uint8Array = new Uint8Array()): Uint8Array {
  const b = new Uint8Array(260);
  new DataView(b.buffer).setInt32(0, hashType, true);
  b.set(fingerprint.subarray(0, 256), 4);
  return extraOf(b);
}

/**
 * Encodes cryptographic message metadata.
 *
 * @param formatType - format type code
 * @param messageType - message type code
 * @returns the 384-byte extra
 */
export function encodeCryptoMessage(formatType: number, messageType: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setInt32(0, formatType, true);
  v.setInt32(4, messageType, true);
  return extraOf(b);
}

/**
 * Encodes SBOM metadata.
 *
 * @param format - SBOM format code
 * @returns the 384-byte extra
 */
export function encodeSBOM(format: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, format, true);
  return extraOf(b);
}

/**
 * Encodes an OCI digest as its text (`sha256:<hex>`).
 *
 * @param hex - the lower-case hex SHA-256 digest
 * @returns the 384-byte extra
 */
export function encodeOCIDigest(hex: string): Uint8Array {
  return extraOf(new TextEncoder().encode(`sha256:${hex}`));
}
