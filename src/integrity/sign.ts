/**
 * Signing object groups as the reference does: one signature object per group (or per chosen
 * objects), no group, linked to its group, carrying the hash type and the signer's fingerprint.
 *
 * @module
 */
import { sifError } from '../errors.js';
import { checkOptions, is } from '../options.js';
import { encodeSignature } from '../format/extras.js';
import { DataType, HashType } from '../format/types.js';
import { addObjects, type EditOptions, type ObjectInput, type TimeInput } from '../image/edit.js';
import type { ObjectDescriptor, SifImage } from '../image/image.js';
import { fingerprintBytes, type PgpPrivateKey } from '../keys/pgp.js';
import type { PemPrivateKey } from '../keys/pem.js';
import { signClearsign } from './clearsign.js';
import { signEnvelope } from './dsse.js';
import { computeMetadata, encodeMetadata } from './metadata.js';
import { DigestCache, type ObjectHasher } from './hasher.js';
import type { HashAlgorithm } from '../hash/index.js';

/** Options for {@link signImage}. */
export interface SignOptions extends Pick<EditOptions, 'scratch' | 'durable' | 'signal'> {
  /** An OpenPGP private key (decrypted) for a clear-signed signature. */
  pgpKey?: PgpPrivateKey;
  /** PEM private keys for a DSSE signature (takes precedence over `pgpKey`, as in the reference). */
  dsseKeys?: PemPrivateKey[];
  /** Hash for RSA/ECDSA DSSE signatures (default SHA-256). */
  dsseHash?: 'sha256' | 'sha384' | 'sha512';
  /** Sign these groups (one signature each). */
  groups?: readonly number[];
  /** Sign these objects (one signature per group they fall in, covering only them). */
  objects?: readonly number[];
  /** Signature time (PGP creation time and descriptor time). Default now. */
  time?: TimeInput;
  /** Zero time for the signature descriptors (the PGP creation time still comes from `time`). */
  deterministic?: boolean;
  /** Add a random salt notation to PGP signatures (go-crypto's default; off gives reproducible output). */
  salt?: boolean;
  /** Called with the running count of bytes hashed. */
  onProgress?: (bytes: number) => void;
  /** Hashes object data elsewhere (e.g. `workerHasher` of `sifkit/node`), in parallel. */
  objectHasher?: ObjectHasher;
}

interface GroupPlan {
  groupId: number;
  objects: ObjectDescriptor[];
}

function planGroups(img: SifImage, opts: SignOptions): GroupPlan[] {
  const plans: GroupPlan[] = [];
  const groupObjects = (g: number): ObjectDescriptor[] => {
    if (g === 0) throw sifError('INVALID_ARGUMENT', 'invalid group ID');
    const ods = img.select((d) => d.groupId === g);
    if (ods.length === 0) throw sifError('GROUP_NOT_FOUND', 'group not found', { groupId: g });
    return ods.sort((a, b) => a.id - b.id);
  };
  for (const g of opts.groups ?? []) plans.push({ groupId: g, objects: groupObjects(g) });
  if (opts.objects) {
    if (opts.objects.length === 0) throw sifError('NO_OBJECTS_SPECIFIED', 'no objects specified');
    const byGroup = new Map<number, ObjectDescriptor[]>();
    for (const id of opts.objects) {
      const od = img.get(id);
      byGroup.set(od.groupId, [...(byGroup.get(od.groupId) ?? []), od]);
    }
    for (const g of [...byGroup.keys()].sort((a, b) => a - b)) {
      groupObjects(g);
      const ods = [...new Map(byGroup.get(g)!.map((d) => [d.id, d])).values()].sort((a, b) => a.id - b.id);
      plans.push({ groupId: g, objects: ods });
    }
  }
  if (plans.length === 0) {
    const groups = [...new Set(img.objects().map((d) => d.groupId).filter((g) => g !== 0))].sort((a, b) => a - b);
    if (groups.length === 0) throw sifError('NO_GROUPS', 'no groups found');
    for (const g of groups) plans.push({ groupId: g, objects: groupObjects(g) });
  }
  return plans;
}

const hashTypeOf: Record<HashAlgorithm, number> = {
  sha256: HashType.SHA256,
  sha384: HashType.SHA384,
  sha512: HashType.SHA512,
  sha224: 0,
  sha512_224: 0,
  sha512_256: 0,
};

/**
 * Signs an image: computes the metadata of each group (streaming every object through SHA-256),
 * signs it, and adds all signature objects in one edit (all land or none).
 *
 * @param img - an image open for writing
 * @param opts - key, selection, time
 * @returns the new signature objects
 */
export async function signImage(img: SifImage, opts: SignOptions): Promise<ObjectDescriptor[]> {
  const ids = is.array(is.int(0, 0xffffffff));
  checkOptions('signImage', opts, {
    pgpKey: is.object,
    dsseKeys: is.array(is.object),
    dsseHash: is.oneOf(['sha256', 'sha384', 'sha512']),
    groups: ids,
    objects: ids,
    time: is.time,
    deterministic: is.boolean,
    salt: is.boolean,
    onProgress: is.function,
    objectHasher: is.object,
    scratch: is.function,
    durable: is.object,
    signal: is.signal,
  });
  if (opts === undefined) throw sifError('NO_KEY_MATERIAL', 'key material not provided');
  const useDsse = (opts.dsseKeys?.length ?? 0) > 0;
  if (!useDsse && !opts.pgpKey) throw sifError('NO_KEY_MATERIAL', 'key material not provided');
  const plans = planGroups(img, opts);
  const date =
    opts.time === undefined ? new Date() : typeof opts.time === 'number' ? new Date(opts.time * 1000) : opts.time;
  const inputs: ObjectInput[] = [];
  const digests = new DigestCache(img, opts.objectHasher, opts.onProgress, opts.signal);
  digests.prefetch(plans.flatMap((p) => p.objects), 'sha256');
  for (const p of plans) {
    const minId = Math.min(...img.objects().filter((d) => d.groupId === p.groupId).map((d) => d.id));
    const im = await computeMetadata(img, minId, p.objects, 'sha256', undefined, (d) => digests.object(d, 'sha256'));
    const json = encodeMetadata(im);
    let data: Uint8Array;
    let hashType: number;
    let fingerprint: Uint8Array | undefined;
    if (useDsse) {
      const h = opts.dsseHash ?? 'sha256';
      data = await signEnvelope(new TextEncoder().encode(json), opts.dsseKeys!, h);
      hashType = hashTypeOf[h];
    } else {
      data = await signClearsign(json, opts.pgpKey!, { date, salt: opts.salt === true });
      hashType = HashType.SHA256;
      fingerprint = fingerprintBytes(opts.pgpKey!);
    }
    inputs.push({
      dataType: DataType.Signature,
      data,
      group: null,
      link: { group: p.groupId },
      extra: encodeSignature(hashType, fingerprint),
    });
  }
  return addObjects(img, inputs, {
    ...(opts.deterministic ? { deterministic: true } : opts.time !== undefined ? { time: opts.time } : {}),
    ...(opts.scratch ? { scratch: opts.scratch } : {}),
    ...(opts.durable ? { durable: opts.durable } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
