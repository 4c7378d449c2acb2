/**
 * The codes SIF stores and the names the reference prints for them.
 *
 * @module
 */

/** Data object types (descriptor `dataType`). */
export const DataType = {
  /** 0x4001: the definition file (`Def.FILE`). */
  Deffile: 0x4001,
  /** 0x4002: environment variables (`Env.Vars`). */
  EnvVar: 0x4002,
  /** 0x4003: JSON labels (`JSON.Labels`). */
  Labels: 0x4003,
  /** 0x4004: a file system partition (`FS`). */
  Partition: 0x4004,
  /** 0x4005: a signature (`Signature`). */
  Signature: 0x4005,
  /** 0x4006: generic JSON (`JSON.Generic`). */
  GenericJSON: 0x4006,
  /** 0x4007: generic raw data (`Generic/Raw`). */
  Generic: 0x4007,
  /** 0x4008: a cryptographic message. */
  CryptoMessage: 0x4008,
  /** 0x4009: a software bill of materials. */
  SBOM: 0x4009,
  /** 0x400A: an OCI image index (`OCI.RootIndex`). */
  OCIRootIndex: 0x400a,
  /** 0x400B: an OCI blob (`OCI.Blob`). */
  OCIBlob: 0x400b,
} as const;
/** A data type code (any int32 may appear in a file). */
export type DataTypeCode = number;

const dataTypeNames: Record<number, string> = {
  0x4001: 'Def.FILE',
  0x4002: 'Env.Vars',
  0x4003: 'JSON.Labels',
  0x4004: 'FS',
  0x4005: 'Signature',
  0x4006: 'JSON.Generic',
  0x4007: 'Generic/Raw',
  0x4008: 'Cryptographic Message',
  0x4009: 'SBOM',
  0x400a: 'OCI.RootIndex',
  0x400b: 'OCI.Blob',
};

/**
 * The reference's name of a data type (`DataType.String()`).
 *
 * @param t - the code
 * @returns the name, or `Unknown`
 */
export function dataTypeName(t: number): string {
  return dataTypeNames[t] ?? 'Unknown';
}

/** Partition file system types. */
export const FSType = {
  /** 1: squashfs (`Squashfs`). */
  Squash: 1,
  /** 2: ext3 (`Ext3`). */
  Ext3: 2,
  /** 3: immutable object archive (`Archive`). */
  ImmuObj: 3,
  /** 4: raw data (`Raw`). */
  Raw: 4,
  /** 5: encrypted squashfs. */
  EncryptedSquashfs: 5,
} as const;
const fsNames: Record<number, string> = { 1: 'Squashfs', 2: 'Ext3', 3: 'Archive', 4: 'Raw', 5: 'Encrypted squashfs' };
/**
 * @param t - file system type code
 * @returns the reference's name, or `Unknown`
 */
export function fsTypeName(t: number): string {
  return fsNames[t] ?? 'Unknown';
}

/** Partition types. */
export const PartType = {
  /** 1: a system partition (`System`). */
  System: 1,
  /** 2: the primary system partition (`*System`). */
  PrimSys: 2,
  /** 3: a data partition (`Data`). */
  Data: 3,
  /** 4: an overlay partition (`Overlay`). */
  Overlay: 4,
} as const;
const partNames: Record<number, string> = { 1: 'System', 2: '*System', 3: 'Data', 4: 'Overlay' };
/**
 * @param t - partition type code
 * @returns the reference's name, or `Unknown`
 */
export function partTypeName(t: number): string {
  return partNames[t] ?? 'Unknown';
}

/** Signature hash types, as stored in a signature descriptor's extra. */
export const HashType = {
  /** 1: SHA-256. */
  SHA256: 1,
  /** 2: SHA-384. */
  SHA384: 2,
  /** 3: SHA-512. */
  SHA512: 3,
  /** 4: BLAKE2s-256. */
  BLAKE2s_256: 4,
  /** 5: BLAKE2b-256. */
  BLAKE2b_256: 5,
} as const;
const hashDisplay: Record<number, string> = { 1: 'SHA-256', 2: 'SHA-384', 3: 'SHA-512', 4: 'BLAKE2s-256', 5: 'BLAKE2b-256' };
/**
 * @param t - hash type code
 * @returns the display name (`SHA-256`), or undefined when the code is not one the reference knows
 */
export function hashTypeName(t: number): string | undefined {
  return hashDisplay[t];
}

/** Cryptographic message format types. */
export const FormatType = {
  /** 1: OpenPGP. */
  OpenPGP: 1,
  /** 2: PEM. */
  PEM: 2,
} as const;
/**
 * @param t - format type code
 * @returns the reference's name, or `Unknown`
 */
export function formatTypeName(t: number): string {
  return ({ 1: 'OpenPGP', 2: 'PEM' } as Record<number, string>)[t] ?? 'Unknown';
}

/** Cryptographic message types. */
export const MessageType = {
  /** 0x100: a clear signature. */
  ClearSignature: 0x100,
  /** 0x200: RSA-OAEP encrypted. */
  RSAOAEP: 0x200,
} as const;
/**
 * @param t - message type code
 * @returns the reference's name, or `Unknown`
 */
export function messageTypeName(t: number): string {
  return ({ 0x100: 'Clear Signature', 0x200: 'RSA-OAEP' } as Record<number, string>)[t] ?? 'Unknown';
}

/** SBOM formats. */
export const SBOMFormat = {
  /** 1: `cyclonedx-json`. */
  CycloneDXJSON: 1,
  /** 2: `cyclonedx-xml`. */
  CycloneDXXML: 2,
  /** 3: `github-json`. */
  GitHubJSON: 3,
  /** 4: `spdx-json`. */
  SPDXJSON: 4,
  /** 5: `spdx-rdf`. */
  SPDXRDF: 5,
  /** 6: `spdx-tag-value`. */
  SPDXTagValue: 6,
  /** 7: `spdx-yaml`. */
  SPDXYAML: 7,
  /** 8: `syft-json`. */
  SyftJSON: 8,
} as const;
const sbomNames = [
  '',
  'cyclonedx-json',
  'cyclonedx-xml',
  'github-json',
  'spdx-json',
  'spdx-rdf',
  'spdx-tag-value',
  'spdx-yaml',
  'syft-json',
];
/**
 * @param t - SBOM format code
 * @returns the reference's name, or `unknown`
 */
export function sbomFormatName(t: number): string {
  return t >= 1 && t <= 8 ? sbomNames[t]! : 'unknown';
}
/**
 * Parses an SBOM format name as siftool does (`github` is accepted for `github-json`).
 *
 * @param name - the name
 * @returns the code, or undefined
 */
export function parseSBOMFormat(name: string): number | undefined {
  if (name === 'github') return SBOMFormat.GitHubJSON;
  const i = sbomNames.indexOf(name);
  return i >= 1 ? i : undefined;
}

/** Every architecture name the reference knows, in code order: index 0 is code `01` (386). */
export const ARCHITECTURES: readonly string[] = [
  '386',
  'amd64',
  'arm',
  'arm64',
  'ppc64',
  'ppc64le',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  's390x',
  'riscv64',
  'loong64',
];

/** Go architecture names by two-digit SIF code (`01` → `386`). */
const archByCode = new Map<string, string>(ARCHITECTURES.map((a, i) => [String(i + 1).padStart(2, '0'), a]));

/**
 * The Go architecture name of a 3-byte SIF arch field (two ASCII digits and a NUL).
 *
 * @param raw - the 3 bytes
 * @returns e.g. `amd64`, or `unknown`
 */
export function archName(raw: Uint8Array): string {
  if (raw.length < 3 || raw[2] !== 0) return 'unknown';
  const code = String.fromCharCode(raw[0]!, raw[1]!);
  return archByCode.get(code) ?? 'unknown';
}

/**
 * The 3-byte SIF arch field for a Go architecture name.
 *
 * @param name - e.g. `amd64`
 * @returns the bytes, or undefined when the name is unknown
 */
export function archCode(name: string): Uint8Array | undefined {
  for (const [code, n] of archByCode) {
    if (n === name) return new Uint8Array([code.charCodeAt(0), code.charCodeAt(1), 0]);
  }
  return undefined;
}

/** The 3-byte arch field meaning "unknown" (`00\0`). */
export const ARCH_UNKNOWN: Uint8Array = new Uint8Array([0x30, 0x30, 0]);
