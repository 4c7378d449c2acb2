/**
 * `sifkit recover`: finish or undo an interrupted edit of an image, from its crash journal.
 *
 * @module
 */
import { recoverImage } from '../../io/open.js';
import type { Recovery } from '../../io/recovery.js';
import { exactArgs, parseFlags } from '../args.js';
import { EXIT, writeAll, type CliIO } from '../io.js';
import { log } from '../log.js';

/** Help text. */
export const HELP = `Finish or undo an interrupted edit of a SIF image.

An edit (add, del, setprim, sign) that was killed or lost power leaves a journal beside the image
(<sif_path>.sifkit-journal). Read-only commands refuse such an image; this command rolls an
uncommitted edit back (the image is as it was before) or completes a committed one, then removes the
journal. A journal that does not belong to the image (another owner, writable by others, a symbolic
link, written for another file, damaged) is refused, and neither file is changed.

Usage:
  sifkit recover <sif_path> [flags]

Examples:
sifkit recover image.sif

Flags:
  -h, --help   help for recover
`;

const DONE: Record<Recovery, (path: string) => string> = {
  none: (p) => `No interrupted edit of ${p} to recover`,
  'rolled-back': (p) => `Rolled back the interrupted edit of ${p}: the image is as it was before the edit`,
  completed: (p) => `Completed the interrupted edit of ${p}`,
  discarded: (p) => `Removed the journal of an edit of ${p} that had not changed it yet`,
};

/**
 * Runs `sifkit recover`.
 *
 * @param args - arguments
 * @param io - the process
 * @returns exit status
 */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(args, {});
  if (values.help) {
    await writeAll(io.stdout, HELP);
    return EXIT.OK;
  }
  exactArgs(positionals, 1);
  const path = positionals[0]!;
  const what = await recoverImage(path, {
    onLockWait: () => log(io, 'INFO', `${path}: another process is using this image, waiting for it to finish...`),
  });
  log(io, 'INFO', DONE[what](path));
  return EXIT.OK;
}
