/**
 * The container file system commands: `ls`, `cat`, `extract`, `export`. Each opens the image
 * read-only (nothing is written to it) and reads the primary system partition, or `--partition ID`.
 *
 * @module
 */
import { extractFs } from '../../container/extract.js';
import { exportTar } from '../../container/tar.js';
import type { SifImage } from '../../image/image.js';
import type { SquashFs } from '../../squashfs/fs.js';
import { openRootFs } from '../../squashfs/rootfs.js';
import { parseFlags, parseUint } from '../args.js';
import { longLine } from '../fs-format.js';
import { EXIT, UsageError, writeAll, type CliIO } from '../io.js';
import { log } from '../log.js';
import { openForCli } from '../open.js';

type Command = 'ls' | 'cat' | 'extract' | 'export';

const PARTITION = `      --partition uint   read this object (a squashfs partition or OCI-SIF layer) instead of the
                         primary system partition`;

/** Help texts. */
export const HELP: Record<Command, string> = {
  ls: `List files in the container's file system, without mounting or running it.

With -l, each line has the columns of 'unsquashfs -lln -UTC' (mode, uid/gid, size or major,minor,
UTC time to the minute). With -lR the output is the same as 'unsquashfs -lln -UTC' of the partition,
path column included, so the two can be compared with diff.

Usage:
  sifkit ls [flags] <sif_path> [path]

Examples:
sifkit ls image.sif /etc
sifkit ls -lR image.sif > listing.txt

Flags:
  -h, --help             help for ls
  -l, --long             long listing
${PARTITION}
  -R, --recursive        list every entry under the path
`,
  cat: `Print files of the container's file system to standard output.

Usage:
  sifkit cat [flags] <sif_path> <path>...

Examples:
sifkit cat image.sif /.singularity.d/labels.json
sifkit cat image.sif /etc/os-release | grep VERSION

Flags:
  -h, --help             help for cat
${PARTITION}
`,
  extract: `Extract the container's file system (or a path in it) into a directory.

Modes, mtimes, symlinks, hard links, sparse files, fifos, sockets and xattrs are restored; owners and
devices only when run as root (devices are otherwise skipped with a warning). A path in the image
lands at the same path under the directory. Nothing is written outside the directory: the image's
symlinks are created as they are and never followed.

Usage:
  sifkit extract [flags] <sif_path> [path]

Examples:
sifkit extract image.sif -C rootfs
sifkit extract image.sif /.singularity.d -C meta

Flags:
  -C, --directory string   directory to extract into, created when missing (default "squashfs-root")
  -h, --help               help for extract
${PARTITION.replace('      --partition uint   ', '      --partition uint     ').replace('\n                         ', '\n                           ')}
`,
  export: `Write the container's file system as a tar archive (POSIX pax) to standard output.

The archive keeps modes, owners, mtimes, symlinks, hard links, devices, fifos and xattrs
(SCHILY.xattr records); sockets cannot be stored in tar and are left out with a warning. It can be
read by 'tar -x' and imported with 'docker import - NAME' or 'podman import - NAME'.

Usage:
  sifkit export [flags] <sif_path> [path]

Examples:
sifkit export image.sif > rootfs.tar
sifkit export image.sif | docker import - myimage

Flags:
      --format string    archive format (only "tar") (default "tar")
  -h, --help             help for export
${PARTITION}
`,
};

const partitionFlag = { partition: { type: 'string' } } as const;

async function open(io: CliIO, path: string, partition: unknown): Promise<{ img: SifImage; fs: SquashFs }> {
  const id = typeof partition === 'string' ? parseUint(partition, 'invalid argument for --partition', 0xffffffff) : undefined;
  const img = await openForCli(io, path);
  try {
    return { img, fs: await openRootFs(img, id === undefined ? {} : { id }) };
  } catch (e) {
    await img.close();
    throw e;
  }
}

/**
 * Runs one of the file system commands.
 *
 * @param cmd - which
 * @param args - arguments
 * @param io - the process
 * @returns exit status
 */
export async function run(cmd: Command, args: string[], io: CliIO): Promise<number> {
  const specs = {
    ls: { long: { type: 'boolean', short: 'l' }, recursive: { type: 'boolean', short: 'R' }, ...partitionFlag },
    cat: { ...partitionFlag },
    extract: { directory: { type: 'string', short: 'C' }, ...partitionFlag },
    export: { format: { type: 'string' }, ...partitionFlag },
  } as const;
  const { values, positionals } = parseFlags(args, specs[cmd]);
  if (values.help) {
    await writeAll(io.stdout, HELP[cmd]);
    return EXIT.OK;
  }
  if (positionals.length < (cmd === 'cat' ? 2 : 1)) throw new UsageError(`requires at least ${cmd === 'cat' ? 2 : 1} arg(s), only received ${positionals.length}`);
  if (cmd !== 'cat' && positionals.length > 2) throw new UsageError(`accepts at most 2 arg(s), received ${positionals.length}`);
  if (cmd === 'export') {
    if (values.format !== undefined && values.format !== 'tar') throw new UsageError(`invalid argument "${String(values.format)}" for "--format": only "tar" is supported`);
    if (io.stdout.isTTY) throw new UsageError('refusing to write a tar archive to a terminal: redirect standard output');
  }
  const [image, ...paths] = positionals as [string, ...string[]];
  const { img, fs } = await open(io, image, values.partition);
  try {
    switch (cmd) {
      case 'ls':
        return await ls(io, fs, paths[0] ?? '/', values.long === true, values.recursive === true);
      case 'cat':
        for (const p of paths) for await (const c of fs.chunks(p)) await writeAll(io.stdout, c);
        return EXIT.OK;
      case 'export':
        for await (const c of exportTar(fs, { path: paths[0] ?? '/', onWarning: (m) => log(io, 'WARNING', m) })) await writeAll(io.stdout, c);
        return EXIT.OK;
      case 'extract':
        return await extract(io, fs, paths[0] ?? '/', typeof values.directory === 'string' ? values.directory : 'squashfs-root');
    }
  } finally {
    await img.close();
  }
}

async function ls(io: CliIO, fs: SquashFs, path: string, long: boolean, recursive: boolean): Promise<number> {
  let out = '';
  const flush = async (force = false): Promise<void> => {
    if (out.length > 65536 || (force && out)) {
      await writeAll(io.stdout, out);
      out = '';
    }
  };
  if (recursive) {
    for await (const batch of fs.walkBatches(path)) {
      for (const e of batch) {
        const shown = e.path === '/' ? 'squashfs-root' : `squashfs-root${e.path}`;
        out += long ? `${longLine(shown, e.stat)}\n` : `${e.path}\n`;
      }
      await flush();
    }
  } else {
    const st = await fs.lstat(path);
    const follow = st.type === 'symlink' ? await fs.stat(path).catch(() => st) : st;
    if (follow.type !== 'dir') out += long ? `${longLine(path.replace(/\/+$/, ''), st)}\n` : `${path}\n`;
    else for (const e of await fs.readdir(path)) out += long ? `${longLine(e.name, e.stat)}\n` : `${e.name}\n`;
  }
  await flush(true);
  return EXIT.OK;
}

async function extract(io: CliIO, fs: SquashFs, path: string, dir: string): Promise<number> {
  const tty = io.stderr.isTTY === true;
  let last = 0;
  let warnings = 0;
  const summary = await extractFs(fs, dir, {
    path,
    onWarning: (m) => {
      warnings++;
      if (tty) io.stderr.write('\r\x1b[K');
      log(io, 'WARNING', m);
    },
    onProgress: (entries, bytes) => {
      const now = Date.now();
      if (!tty || now - last < 200) return;
      last = now;
      io.stderr.write(`\r\x1b[K${entries} entries, ${(bytes / 2 ** 20).toFixed(1)} MiB`);
    },
  });
  if (tty) io.stderr.write('\r\x1b[K');
  log(
    io,
    'INFO',
    `Extracted ${summary.entries} entries (${(summary.bytes / 2 ** 20).toFixed(1)} MiB) to ${dir}${summary.skipped ? `, ${summary.skipped} skipped` : ''}${warnings ? ' (see warnings)' : ''}`,
  );
  return EXIT.OK;
}
