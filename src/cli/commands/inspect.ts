/**
 * `sifkit header | list | info | dump`: siftool's read-only commands, output byte-identical.
 *
 * @module
 */
import { openForCli } from '../open.js';
import { exactArgs, parseFlags, parseUint } from '../args.js';
import { EXIT, writeAll, type CliIO } from '../io.js';
import { formatHeader, formatInfo, formatList } from '../siftool-format.js';

function help(long: string, use: string, example: string, flags = '  -h, --help   help for ' + use.split(' ')[0]): string {
  return `${long}\n\nUsage:\n  sifkit ${use}\n\nExamples:\nsifkit ${example}\n\nFlags:\n${flags}\n`;
}

/** Help texts. */
export const HELP = {
  header: help('Display global header from a SIF image.', 'header <sif_path>', 'header image.sif'),
  list: help('List data objects from a SIF image.', 'list <sif_path>', 'list image.sif'),
  info: help('Display info about a data object from a SIF image.', 'info <id> <sif_path>', 'info 1 image.sif'),
  dump: help('Dump a data object from a SIF image.', 'dump <id> <sif_path>', 'dump 1 image.sif'),
};

/**
 * Runs one of the inspection commands.
 *
 * @param cmd - command name
 * @param args - its arguments
 * @param io - the process
 * @returns exit status
 */
export async function run(cmd: 'header' | 'list' | 'info' | 'dump', args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(args, {});
  if (values.help) {
    await writeAll(io.stdout, HELP[cmd]);
    return EXIT.OK;
  }
  if (cmd === 'header' || cmd === 'list') {
    exactArgs(positionals, 1);
    const img = await openForCli(io, positionals[0]!);
    try {
      await writeAll(io.stdout, cmd === 'header' ? Buffer.from(formatHeader(img), 'latin1') : formatList(img));
    } finally {
      await img.close();
    }
    return EXIT.OK;
  }
  exactArgs(positionals, 2);
  const id = parseUint(positionals[0], 'while converting id');
  const img = await openForCli(io, positionals[1]!);
  try {
    const d = img.get(id);
    if (cmd === 'info') await writeAll(io.stdout, Buffer.from(formatInfo(d), 'latin1'));
    else {
      for await (const chunk of img.chunks(d, 4 << 20)) {
        if (io.stdout.closed) break; // the reader has gone: the rest would be dropped
        await writeAll(io.stdout, chunk);
      }
    }
  } finally {
    await img.close();
  }
  return EXIT.OK;
}
