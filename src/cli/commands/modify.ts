/**
 * `sifkit new | add | del | setprim`: siftool's editing commands, plus flags for reproducible output.
 *
 * @module
 */
import { open } from 'node:fs/promises';
import { sifError } from '../../errors.js';
import { DataType, HashType, parseSBOMFormat, ARCHITECTURES } from '../../format/types.js';
import { addObject, deleteObject, setPrimaryPartition, type ObjectInput, type TimeOptions } from '../../image/edit.js';
import { createImageFile } from '../../node.js';
import { openForCli } from '../open.js';
import { fromHex } from '../../hash/index.js';
import { exactArgs, parseFlags, parseInt32, parseTime, parseUint, type Parsed } from '../args.js';
import { EXIT, UsageError, writeAll, type CliIO } from '../io.js';

const TIME_FLAGS = `      --deterministic   use the zero time (default on deterministic images)
      --time string     set the modification time (RFC 3339)`;

/** Help texts. */
export const HELP = {
  new: `Create a new, empty SIF image.

Usage:
  sifkit new <sif_path> [flags]

Examples:
sifkit new image.sif
sifkit new --deterministic image.sif

Flags:
      --capacity int           descriptor capacity [default: 48]
      --deterministic          nil ID and zero times (reproducible output)
  -h, --help                   help for new
      --id string              image ID (UUID) [default: random]
      --launch-script string   launch script (at most 31 bytes)
      --time string            creation time (RFC 3339) [default: now]
`,
  add: `Add a data object to a SIF image.

Usage:
  sifkit add <sif_path> <object_path> [flags]

Examples:
sifkit add image.sif recipe.def --datatype 1
sifkit add image.sif rootfs.squashfs --datatype 4 --parttype 1 --partfs 1 --partarch 2
sifkit add image.sif signature.bin --datatype 5 --signentity 433FE984155206BD962725E20E8713472A879943 --signhash 1

Flags:
      --alignment int       set alignment [default: 4096 with --datatype 4-Partition, 0 otherwise]
      --datatype int        the type of data to add
                            [NEEDED, no default]:
                              1-Deffile,        2-EnvVar,        3-Labels,
                              4-Partition,      5-Signature,     6-GenericJSON,
                              7-Generic,        8-CryptoMessage, 9-SBOM,
                              10-OCI.RootIndex, 11-OCI.Blob
      --deterministic       use the zero time (default on deterministic images)
      --filename string     set logical filename/handle [default: input filename]
      --groupid uint32      set groupid [default: 0]
  -h, --help                help for add
      --link uint32         set link pointer [default: 0]
      --partarch int32      the main architecture used (with --datatype 4-Partition)
                            [NEEDED, no default]:
                              1-386,       2-amd64,     3-arm,
                              4-arm64,     5-ppc64,     6-ppc64le,
                              7-mips,      8-mipsle,    9-mips64,
                              10-mips64le, 11-s390x,    12-riscv64,
                              13-loong64
      --partfs int32        the filesystem used (with --datatype 4-Partition)
                            [NEEDED, no default]:
                              1-Squash,    2-Ext3,      3-ImmuObj,
                              4-Raw
      --parttype int32      the type of partition (with --datatype 4-Partition)
                            [NEEDED, no default]:
                              1-System,    2-PrimSys,   3-Data,
                              4-Overlay
      --sbomformat string   the SBOM format (with --datatype 9-sbom):
                              cyclonedx-json, cyclonedx-xml,  github-json,
                              spdx-json,      spdx-rdf,       spdx-tag-value,
                              spdx-yaml,      syft-json
      --signentity string   the entity that signs (with --datatype 5-Signature)
                            [NEEDED, no default]:
                              example: 433FE984155206BD962725E20E8713472A879943
      --signhash int32      the signature hash used (with --datatype 5-Signature)
                            [NEEDED, no default]:
                              1-SHA256,      2-SHA384,      3-SHA512,
                              4-BLAKE2s_256, 5-BLAKE2b_256
      --time string         set the object and modification time (RFC 3339)
`,
  del: `Delete a data object from a SIF image.

Usage:
  sifkit del <id> <sif_path> [flags]

Examples:
sifkit del 1 image.sif

Flags:
      --compact         truncate free space at the end of the image
${TIME_FLAGS}
  -h, --help            help for del
      --zero            overwrite the object's data with zeros
`,
  setprim: `Set the primary system partition in a SIF image.

Usage:
  sifkit setprim <id> <sif_path> [flags]

Examples:
sifkit setprim 1 image.sif

Flags:
${TIME_FLAGS}
  -h, --help            help for setprim
`,
};

const timeFlags = { time: { type: 'string' }, deterministic: { type: 'boolean' } } as const;

function timeOptions(values: Parsed['values']): TimeOptions {
  const o: TimeOptions = {};
  if (values.deterministic) o.deterministic = true;
  if (typeof values.time === 'string') o.time = parseTime(values.time, 'time');
  return o;
}

const dataTypes = [
  DataType.Deffile,
  DataType.EnvVar,
  DataType.Labels,
  DataType.Partition,
  DataType.Signature,
  DataType.GenericJSON,
  DataType.Generic,
  DataType.CryptoMessage,
  DataType.SBOM,
  DataType.OCIRootIndex,
  DataType.OCIBlob,
];

function addInput(values: Parsed['values']): Omit<ObjectInput, 'data'> {
  const str = (k: string): string | undefined => values[k] as string | undefined;
  const dt = str('datatype') === undefined ? 0 : parseInt32(str('datatype'), 'datatype');
  const dataType = dataTypes[dt - 1];
  if (dataType === undefined) throw new UsageError('-datatype flag is required with a valid range');
  const groupid = str('groupid') === undefined ? 0 : parseUint(str('groupid'), 'invalid argument for "--groupid" flag');
  const input: Omit<ObjectInput, 'data'> = { dataType, group: groupid === 0 ? null : groupid };
  if (str('link') !== undefined) {
    const link = parseUint(str('link'), 'invalid argument for "--link" flag');
    if (link === 0) throw sifError('INVALID_ARGUMENT', 'invalid object ID');
    input.link = link;
  }
  if (str('alignment') !== undefined) input.alignment = parseInt32(str('alignment'), 'alignment');
  if (str('filename') !== undefined) input.name = str('filename')!;
  if (dataType === DataType.Partition) {
    const pt = str('parttype') === undefined ? 0 : parseInt32(str('parttype'), 'parttype');
    const fs = str('partfs') === undefined ? 0 : parseInt32(str('partfs'), 'partfs');
    const arch = str('partarch') === undefined ? 0 : parseInt32(str('partarch'), 'partarch');
    if (pt === 0 || fs === 0 || arch === 0) {
      throw new UsageError('with partition datatype, --partfs, --parttype and --partarch must be passed');
    }
    input.partition = { fsType: fs, partType: pt, arch: ARCHITECTURES[arch - 1] ?? 'unknown' };
  } else if (dataType === DataType.Signature) {
    const fp = fromHex(str('signentity') ?? '');
    if (!fp) throw new UsageError(`failed to decode signing entity fingerprint: encoding/hex: invalid byte`);
    const ht = str('signhash') === undefined ? 0 : parseInt32(str('signhash'), 'signhash');
    if (!Object.values(HashType).includes(ht as 1)) throw new UsageError(`invalid hash type: ${ht}`);
    if (fp.length !== 20) throw new UsageError(`invalid signing entity fingerprint length: got ${fp.length}, want 20`);
    input.signature = { hashType: ht, fingerprint: fp };
  } else if (dataType === DataType.SBOM) {
    const f = str('sbomformat');
    if (!f) throw new UsageError('with SBOM datatype, --sbomformat must be passed');
    const code = parseSBOMFormat(f);
    if (code === undefined) throw new UsageError(`invalid SBOM format: ${f}`);
    input.sbom = code;
  }
  return input;
}

async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/**
 * Runs one of the editing commands.
 *
 * @param cmd - command name
 * @param args - its arguments
 * @param io - the process
 * @returns exit status
 */
export async function run(cmd: 'new' | 'add' | 'del' | 'setprim', args: string[], io: CliIO): Promise<number> {
  switch (cmd) {
    case 'new': {
      const { values, positionals } = parseFlags(args, {
        deterministic: { type: 'boolean' },
        time: { type: 'string' },
        id: { type: 'string' },
        'launch-script': { type: 'string' },
        capacity: { type: 'string' },
      });
      if (values.help) return helpOut(io, cmd);
      exactArgs(positionals, 1);
      const img = await createImageFile(positionals[0]!, {
        deterministic: values.deterministic === true,
        ...(typeof values.time === 'string' ? { time: parseTime(values.time, 'time') } : {}),
        ...(typeof values.id === 'string' ? { id: values.id } : {}),
        ...(typeof values['launch-script'] === 'string' ? { launchScript: values['launch-script'] } : {}),
        ...(typeof values.capacity === 'string' ? { capacity: parseUint(values.capacity, 'invalid argument for "--capacity" flag', 2 ** 53) } : {}),
      });
      await img.close();
      return EXIT.OK;
    }
    case 'add': {
      const { values, positionals } = parseFlags(args, {
        datatype: { type: 'string' },
        parttype: { type: 'string' },
        partfs: { type: 'string' },
        partarch: { type: 'string' },
        signhash: { type: 'string' },
        signentity: { type: 'string' },
        sbomformat: { type: 'string' },
        groupid: { type: 'string' },
        link: { type: 'string' },
        alignment: { type: 'string' },
        filename: { type: 'string' },
        ...timeFlags,
      });
      if (values.help) return helpOut(io, cmd);
      exactArgs(positionals, 2);
      const input = addInput(values);
      const objectPath = positionals[1]!;
      // Open the object first, as siftool does, so a missing input fails before the image is touched.
      await (await open(objectPath, 'r')).close();
      const img = await openForCli(io, positionals[0]!, true);
      try {
        await addObject(img, { ...input, data: fileChunks(objectPath) }, timeOptions(values));
      } finally {
        await img.close();
      }
      return EXIT.OK;
    }
    case 'del':
    case 'setprim': {
      const { values, positionals } = parseFlags(args, {
        ...timeFlags,
        ...(cmd === 'del' ? { zero: { type: 'boolean' }, compact: { type: 'boolean' } } : {}),
      } as const);
      if (values.help) return helpOut(io, cmd);
      exactArgs(positionals, 2);
      const id = parseUint(positionals[0], 'while converting id');
      const img = await openForCli(io, positionals[1]!, true);
      try {
        const opts = timeOptions(values);
        if (cmd === 'del') await deleteObject(img, id, { ...opts, zero: values.zero === true, compact: values.compact === true });
        else await setPrimaryPartition(img, id, opts);
      } finally {
        await img.close();
      }
      return EXIT.OK;
    }
  }
}

async function helpOut(io: CliIO, cmd: keyof typeof HELP): Promise<number> {
  await writeAll(io.stdout, HELP[cmd]);
  return EXIT.OK;
}
