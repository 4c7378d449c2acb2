/**
 * sifkit: read, write, sign and verify Singularity Image Format (SIF) images.
 *
 * This is the portable core: it imports nothing from `node:` and runs in browsers, Web Workers and
 * Node alike (`npm run test:browser` runs its unit tests in Chromium). Sources are any
 * {@link ByteSource}: {@link BytesStore} over bytes, {@link BlobSource} over a `File`/`Blob`. On Node it
 * uses node:crypto for hashing and node:zlib for gzip when present; elsewhere @noble/hashes (or
 * {@link webHashBackend}: WebAssembly and WebCrypto) and fflate. PEM public keys and DSSE
 * verification use WebCrypto everywhere.
 *
 * Node only, with a `KEY_UNSUPPORTED` error elsewhere: PEM private keys ({@link readPemPrivateKey},
 * {@link pemSign}, DSSE signing with {@link signImage}). `sifkit/node` adds files on disk, locks, crash
 * journals, singularity's keyrings, X.509 chains, keyserver clients and hashing on worker threads.
 *
 * @module
 */
export { SifError, isSifError, sifError } from './errors.js';
export type {
  SifErrorCode,
  SifErrorOptions,
  FormatErrorCode,
  ImageErrorCode,
  IntegrityErrorCode,
  KeyErrorCode,
  FsErrorCode,
  ClientErrorCode,
} from './errors.js';
export * from './format/types.js';
export {
  HEADER_SIZE,
  SIF_MAGIC,
  SIF_VERSION,
  GO_ZERO_TIME,
  parseHeader,
  encodeHeader,
  headerIntegrityBytes,
  isDeterministic,
  launchScriptText,
  type Header,
} from './format/header.js';
export {
  DESCRIPTOR_SIZE,
  GROUP_MASK,
  parseDescriptor,
  encodeDescriptor,
  descriptorIntegrityBytes,
  groupOf,
  linkOf,
  nameOf,
  type RawDescriptor,
  type Link,
} from './format/descriptor.js';
export * from './format/extras.js';
export { BytesStore, BlobSource, readChunks, type ByteSource, type ByteStore } from './io/source.js';
export { SifImage, ObjectDescriptor, loadImage, formatUUID, MAX_WHOLE_READ, MAX_DESCRIPTORS, type LoadOptions } from './image/image.js';
export {
  createImage,
  addObject,
  addObjects,
  deleteObject,
  deleteObjects,
  setPrimaryPartition,
  setMetadata,
  setOCIBlobDigest,
  type CreateOptions,
  type ObjectInput,
  type ObjectData,
  type ObjectMetadataInput,
  type DeleteOptions,
  type EditOptions,
  type TimeOptions,
  type TimeInput,
} from './image/edit.js';
export { WriteJournal, memoryScratch, defaultEditLog, type ScratchFactory, type DurableLog, type EditStart, type EditLogProvider } from './image/journal.js';
export {
  createHash,
  digestBytes,
  hashBackend,
  setHashBackend,
  nobleBackend,
  nodeBackendFrom,
  toHex,
  fromHex,
  HASH_ALGORITHMS,
  DIGEST_SIZE,
  type Hasher,
  type HashBackend,
  type HashAlgorithm,
  type NodeCryptoLike,
  type NodeHashLike,
} from './hash/index.js';
export {
  verifyImage,
  signedBy,
  MAX_SIGNATURE_SIZE,
  type VerifyOptions,
  type VerifyResult,
  type VerifyReport,
} from './integrity/verify.js';
export { signImage, type SignOptions } from './integrity/sign.js';
export {
  computeMetadata,
  encodeMetadata,
  parseMetadata,
  digestText,
  parseDigest,
  headerDigest,
  descriptorDigest,
  objectDigest,
  type Digest,
  type ImageMetadata,
  type ObjectMetadata,
} from './integrity/metadata.js';
export { decodeClearsign, verifyClearsign, signClearsign, signingKeyOf, type ClearsignBlock, type ClearsignOptions, type ClearsignVerification } from './integrity/clearsign.js';
export { parseEnvelope, verifyEnvelope, signEnvelope, pae, METADATA_MEDIA_TYPE, type Envelope, type DsseVerification } from './integrity/dsse.js';
export { referenceKind } from './integrity/errors.js';
export {
  readPgpKeys,
  decryptPgpKey,
  stripTrustPackets,
  signerOf,
  fingerprintBytes,
  type PgpKey,
  type PgpPrivateKey,
  type PgpKeyring,
  type PgpSigner,
  type KeyringEntry,
  type KeySource,
} from './keys/pgp.js';
export {
  readPemPublicKey,
  readPemPrivateKey,
  pemVerify,
  pemSign,
  isPem,
  type PemPublicKey,
  type PemPrivateKey,
  type PemKeyType,
} from './keys/pem.js';
export { digestRange, updateFromSource, HASH_CHUNK, type ProgressFn } from './hash/stream.js';
export { webHashBackend, type WebHashOptions } from './hash/web.js';
export { SquashFs, isHole, type Stat, type WalkEntry, type FsNode, type SquashFsOptions, type DirEntryStat } from './squashfs/fs.js';
export { NONE32, type Inode, type FileType, type DirLayout, type FileLayout, type MetadataPos, type DeviceNumbers } from './squashfs/inode.js';
export type { Xattr } from './squashfs/xattr.js';
export { parseSuperblock, SuperblockFlag, SUPERBLOCK_SIZE, SQUASHFS_MAGIC, type Superblock } from './squashfs/superblock.js';
export { COMPRESSORS } from './squashfs/codecs.js';
export { openRootFs, rootFsObject, type RootFsOptions } from './squashfs/rootfs.js';
export {
  inspectContainer,
  inspectJson,
  inspectText,
  INSPECT_METADATA_NAME,
  type InspectOptions,
  type InspectMetadata,
  type InspectData,
  type InspectAttributes,
  type AppAttributes,
} from './container/inspect.js';
export { exportTar, type TarOptions } from './container/tar.js';
export {
  searchKeys,
  fetchKeys,
  submitKey,
  keyserverUrl,
  parseIndex,
  extractArmor,
  httpStatus,
  MAX_INDEX_KEYS,
  type KeyserverOptions,
  type KeyIndex,
  type IndexKey,
  type IndexUid,
} from './clients/hkp.js';
export type { HttpOptions } from './clients/http.js';
export {
  LibraryClient,
  type LibraryClientOptions,
  type LibraryImage,
  type DownloadSink,
  type DownloadOptions,
  type UploadOptions,
  type UploadResult,
  type SearchResults,
  type LibraryRecord,
  type LibraryVersion,
  type LibraryQuota,
} from './clients/library.js';
export {
  parseLibraryRef,
  formatLibraryRef,
  normalizeLibraryRef,
  pullFileName,
  isLibraryPullRef,
  isLibraryPushRef,
  isRefPart,
  isImageHash,
  type LibraryRef,
  type LibraryRefProblem,
  type NormalizedRef,
} from './clients/library-ref.js';
