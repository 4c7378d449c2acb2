/**
 * `sifkit pull | push | search | delete`: singularity's library commands over sifkit's library client,
 * with singularity's flags, texts and checks (a pulled image is verified with the local keyrings, a
 * pushed one must verify unless `-U`).
 *
 * @module
 */
import { rm } from 'node:fs/promises';
import { isSifError } from '../../errors.js';
import { pullToFile, pushFile, imageArch } from '../../clients/library-node.js';
import { isLibraryPushRef, normalizeLibraryRef, pullFileName } from '../../clients/library-ref.js';
import type { LibraryImage } from '../../clients/library.js';
import { verifyImage } from '../../integrity/verify.js';
import { DataType } from '../../format/types.js';
import { parseFlags, parseUint, type FlagSpec } from '../args.js';
import { EXIT, UsageError, errorText, interrupt, writeAll, type CliIO } from '../io.js';
import { keyringFromDefaults } from '../keys.js';
import { goArch, libraryEndpoint } from '../library-endpoint.js';
import { log } from '../log.js';
import { openForCli } from '../open.js';
import { progressBar } from '../progress.js';
import { Prompter } from '../prompt.js';

const LIBRARY: FlagSpec = { library: { type: 'string' }, nohttps: { type: 'boolean' } };
const LIB_HELP = `      --library string   the library to use (URL) [default: the active remote's library]
      --nohttps          use http to reach a host named in the reference`;

/** Help texts. */
export const HELP = {
  pull: `Pull an image from a library

Usage:
  sifkit pull [pull options...] [output file] library://[host/]entity/collection/container[:tag]

Flags:
      --arch string            architecture to pull [default: this machine's]
  -F, --force                  overwrite an existing file
      --verify-required        fail (and remove the file) unless the image verifies with your keyrings
      --part-size int          bytes per ranged part [default: 16777216; singularity uses 5 MiB]
      --concurrency int        parts in flight [default: 4; singularity uses 3]
${LIB_HELP}
  -h, --help                   help for pull

The file is written as <output>.sifkit-download and renamed only once its SHA-256 matches the
library's record; an interrupted pull resumes. Default output: <container>_<tag>.sif.
`,
  push: `Upload an image to a library

Usage:
  sifkit push [push options...] <image file> library://[host/]entity/collection/container[:tag[,tag...]]

Flags:
  -U, --allow-unsigned       push an image that does not verify
  -D, --description string   description of the image
${LIB_HELP}
  -h, --help                 help for push

Needs an access token: 'sifkit remote login', or $SIFKIT_LIBRARY_TOKEN.
`,
  search: `Search a library for images

Usage:
  sifkit search [search options...] <query>

Flags:
      --arch string   architecture [default: this machine's]
      --signed        signed images only
${LIB_HELP}
  -h, --help          help for search
`,
  delete: `Delete an image from a library

Usage:
  sifkit delete [delete options...] library://[host/]entity/collection/container[:tag]

Flags:
      --arch string   architecture [default: this machine's]
  -F, --force         do not ask
${LIB_HELP}
  -h, --help          help for delete
`,
};

async function verifiesLocally(io: CliIO, path: string): Promise<boolean> {
  const img = await openForCli(io, path).catch(() => undefined);
  if (!img) return false;
  try {
    // no signature object, nothing to check: the keyrings (and OpenPGP) are not even loaded
    if (!img.objects().some((d) => d.dataType === DataType.Signature)) return false;
    const keyring = await keyringFromDefaults(io);
    return (await verifyImage(img, { keyring: { entries: keyring } })).verified;
  } catch {
    return false;
  } finally {
    await img.close();
  }
}

/** A count flag: a decimal number above zero, or undefined when not given. */
function count(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = parseUint(String(v), `invalid argument for "--${flag}"`, Number.MAX_SAFE_INTEGER);
  if (n === 0) throw new UsageError(`invalid argument "0" for "--${flag}": must be at least 1`);
  return n;
}

/**
 * Runs one of the library commands.
 *
 * @param cmd - `pull`, `push`, `search` or `delete`
 * @param args - arguments
 * @param io - the process
 * @returns exit status
 */
export async function run(cmd: 'pull' | 'push' | 'search' | 'delete', args: string[], io: CliIO): Promise<number> {
  const specs: Record<typeof cmd, FlagSpec> = {
    pull: { ...LIBRARY, arch: { type: 'string' }, force: { type: 'boolean', short: 'F' }, 'verify-required': { type: 'boolean' }, 'part-size': { type: 'string' }, concurrency: { type: 'string' } },
    push: { ...LIBRARY, 'allow-unsigned': { type: 'boolean', short: 'U' }, description: { type: 'string', short: 'D' } },
    search: { ...LIBRARY, arch: { type: 'string' }, signed: { type: 'boolean' } },
    delete: { ...LIBRARY, arch: { type: 'string' }, force: { type: 'boolean', short: 'F' } },
  };
  const { values, positionals } = parseFlags(args, specs[cmd]);
  if (values.help) {
    await writeAll(io.stdout, HELP[cmd]);
    return EXIT.OK;
  }
  const fatal = (msg: string): number => {
    log(io, 'FATAL', msg);
    return EXIT.FATAL;
  };
  const arch = typeof values.arch === 'string' ? values.arch : goArch();
  if (cmd === 'search') {
    if (positionals.length !== 1) throw new UsageError(`accepts 1 arg(s), received ${positionals.length}`);
    const query = positionals[0]!;
    const lib = await libraryEndpoint(io, values);
    if (query.length < 3) return fatal(`Couldn't search library: bad query '${query}'. You must search for at least 3 characters`);
    let images: LibraryImage[];
    try {
      images = (await lib.client.search(query, { arch, signed: values.signed === true })).images;
    } catch (e) {
      return fatal(`Couldn't search library: ${errorText(e)}`);
    }
    if (images.length === 0) {
      await writeAll(io.stdout, `No container images found for ${arch} matching ${JSON.stringify(query)}.\n\n`);
      return EXIT.OK;
    }
    const items = images
      .map((i) => {
        let s = `\tlibrary://${i.entityName ?? ''}/${i.collectionName ?? ''}/${i.containerName ?? ''}:${i.tags?.length ? i.tags.join(',') : i.hash}`;
        if (i.description && i.description.toLowerCase() !== 'no description') s += `\n\t\t${i.description}`;
        if (i.fingerprints?.length) s += `\n\t\tSigned by: ${i.fingerprints.join(',')}`;
        return s;
      })
      .sort();
    await writeAll(io.stdout, `Found ${images.length} container images for ${arch} matching ${JSON.stringify(query)}:\n\n${items.join('\n\n')}\n\n`);
    return EXIT.OK;
  }

  if (cmd === 'delete') {
    if (positionals.length !== 1) throw new UsageError(`accepts 1 arg(s), received ${positionals.length}`);
    const ref = normalizeLibraryRef(positionals[0]!);
    const lib = await libraryEndpoint(io, values, ref.host);
    const image = `${ref.path}:${ref.tags[0]}`;
    if (values.force !== true) {
      const answer = await new Prompter(io).ask(`Are you sure you want to delete ${image} (${arch}) [y/N] `);
      if (!/^y(es)?$/i.test(answer.trim())) return EXIT.OK;
    }
    try {
      await lib.client.deleteImage(image, arch);
    } catch (e) {
      return fatal(`Unable to delete image from library: couldn't delete requested image: ${errorText(e)}`);
    }
    log(io, 'INFO', `Image ${image} (${arch}) deleted.`);
    return EXIT.OK;
  }

  if (cmd === 'pull') {
    if (positionals.length < 1 || positionals.length > 2) throw new UsageError(`requires 1 or 2 arg(s), received ${positionals.length}`);
    const refText = positionals.at(-1)!;
    const ref = normalizeLibraryRef(refText);
    const target = positionals.length === 2 ? positionals[0]! : pullFileName(refText);
    const lib = await libraryEndpoint(io, values, ref.host);
    const image = `${ref.path}:${ref.tags[0]}`;
    log(io, 'INFO', 'Downloading library image');
    const ctl = interrupt(io);
    let bar = progressBar(io, 'Downloading', 0);
    try {
      await pullToFile(lib.client, image, arch, target, {
        force: values.force === true,
        signal: ctl.signal,
        // 16 MiB parts: a third of the requests of singularity's 5 MiB, measured faster (bench/library.mjs)
        partSize: count(values['part-size'], 'part-size') ?? 16 << 20,
        // 4 parts in flight: each stream pauses while its bytes reach the disk (bench/library.mjs)
        concurrency: count(values.concurrency, 'concurrency') ?? 4,
        onProgress: (n, total) => {
          if (n === 0 || !bar.onProgress) bar = progressBar(io, 'Downloading', total);
          bar.onProgress?.(n, total);
        },
      });
    } catch (e) {
      bar.done();
      if (isSifError(e, 'ABORTED')) return fatal(`pull interrupted: run the same command again to resume`);
      return fatal(`While pulling library image: ${errorText(e)}`);
    } finally {
      ctl.release();
    }
    bar.done();
    if (!(await verifiesLocally(io, target))) {
      if (values['verify-required'] === true) {
        await rm(target, { force: true });
        return fatal(`Unable to verify ${refText}: the image does not verify with your keyrings (removed ${target})`);
      }
      log(io, 'WARNING', 'Skipping container verification');
    }
    log(io, 'INFO', `Download complete: ${target}`);
    return EXIT.OK;
  }

  // push
  if (positionals.length !== 2) throw new UsageError(`accepts 2 arg(s), received ${positionals.length}`);
  const [file, refText] = positionals as [string, string];
  if (!isLibraryPushRef(refText.replace(/^library:\/\/[^/]+\/(?=[^/]+\/[^/]+\/)/, 'library://'))) return fatal(`invalid library reference: ${refText}`);
  const ref = normalizeLibraryRef(refText);
  const lib = await libraryEndpoint(io, values, ref.host);
  if (!lib.token) return fatal('Cannot push image to library: no authentication token, log in with `sifkit remote login`');
  if (values['allow-unsigned'] !== true && !(await verifiesLocally(io, file))) {
    log(io, 'INFO', 'TIP: You can push unsigned images with \'sifkit push -U <image>\'.');
    log(io, 'INFO', 'TIP: Learn how to sign your own containers by using \'sifkit sign --help\'');
    return fatal('Unable to upload container: unable to verify signature');
  }
  const imgArch = (await imageArch(file).catch(() => undefined)) ?? goArch();
  let bar = progressBar(io, 'Uploading', 0);
  let res;
  try {
    res = await pushFile(lib.client, file, ref.path, imgArch, ref.tags, typeof values.description === 'string' ? values.description : '', {
      onProgress: (n, total) => {
        if (!bar.onProgress) bar = progressBar(io, 'Uploading', total);
        bar.onProgress?.(n, total);
      },
    });
  } catch (e) {
    bar.done();
    return fatal(`Unable to push image to library: ${errorText(e)}`);
  }
  bar.done();
  if (res) {
    let out = '';
    if (res.quota) {
      const { quotaTotal, quotaUsage } = res.quota;
      out += quotaTotal === 0 ? `\nLibrary storage: using ${readable(quotaUsage)} out of unlimited quota\n` : `\nLibrary storage: using ${readable(quotaUsage)} out of ${readable(quotaTotal)} quota (${((100 * quotaUsage) / quotaTotal).toFixed(1)}% used)\n`;
    }
    if (res.containerUrl && lib.webUrl && typeof values.library !== 'string') out += `Container URL: ${lib.webUrl}/${res.containerUrl.replace(/^\//, '')}\n`;
    await writeAll(io.stdout, out);
  }
  return EXIT.OK;
}

/** Go's `humanize.Bytes`-like size (what singularity prints for quotas). */
function readable(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${n} B` : `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ${units[u]}`;
}
