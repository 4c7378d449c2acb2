/**
 * `sifkit inspect`: singularity's `inspect`, offline: labels, definition file, scripts, environment
 * and apps, from the image's `inspect-metadata.json` object or its root file system, printed as
 * singularity prints them (text, or `--json`).
 *
 * @module
 */
import { inspectContainer, inspectJson, inspectText, type InspectOptions } from '../../container/inspect.js';
import { exactArgs, parseFlags, parseUint } from '../args.js';
import { EXIT, writeAll, type CliIO } from '../io.js';
import { log } from '../log.js';
import { openForCli } from '../open.js';
import { openRootFs } from '../../squashfs/rootfs.js';

/** Help text. */
export const HELP = `Show metadata for an image, as 'singularity inspect' does, without running it.

Data come from where singularity takes them: the image's inspect-metadata.json object when it has one,
the definition file from its Def.FILE object, otherwise the files under /.singularity.d and
/scif/apps/*/scif in the container's file system (symlinks followed inside the image only).

Usage:
  sifkit inspect [flags] <sif_path>

Examples:
sifkit inspect image.sif
sifkit inspect --runscript --json image.sif
sifkit inspect --app hello --environment image.sif

Flags:
      --all                show all available data (imply --json option)
      --app string         inspect a specific app
  -d, --deffile            show the Singularity recipe file that was used to generate the image
  -e, --environment        show the environment settings for the image
  -h, --help               help for inspect
  -H, --helpfile           inspect the runscript helpfile, if it exists
  -j, --json               print structured json instead of sections
  -l, --labels             show the labels for the image (default)
      --list-apps          list all apps in a container
      --partition uint     read this squashfs object instead of the primary system partition
  -r, --runscript          show the runscript for the image
  -s, --startscript        show the startscript for the image
  -t, --test               show the test script for the image
`;

/**
 * Runs `sifkit inspect`.
 *
 * @param args - arguments
 * @param io - the process
 * @returns exit status
 */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    all: { type: 'boolean' },
    app: { type: 'string' },
    deffile: { type: 'boolean', short: 'd' },
    environment: { type: 'boolean', short: 'e' },
    helpfile: { type: 'boolean', short: 'H' },
    json: { type: 'boolean', short: 'j' },
    labels: { type: 'boolean', short: 'l' },
    'list-apps': { type: 'boolean' },
    partition: { type: 'string' },
    runscript: { type: 'boolean', short: 'r' },
    startscript: { type: 'boolean', short: 's' },
    test: { type: 'boolean', short: 't' },
  });
  if (values.help) {
    await writeAll(io.stdout, HELP);
    return EXIT.OK;
  }
  exactArgs(positionals, 1);
  const partition = typeof values.partition === 'string' ? parseUint(values.partition, 'invalid argument for --partition') : undefined;
  const all = values.all === true;
  const opts: InspectOptions = {
    labels: values.labels === true,
    deffile: values.deffile === true,
    runscript: values.runscript === true,
    startscript: values.startscript === true,
    test: values.test === true,
    helpfile: values.helpfile === true,
    environment: values.environment === true,
    listApps: values['list-apps'] === true,
    all,
    onWarning: (m) => log(io, 'WARNING', m),
  };
  if (typeof values.app === 'string' && !all) opts.app = values.app;
  const img = await openForCli(io, positionals[0]!);
  try {
    if (partition !== undefined) opts.rootfs = await openRootFs(img, { id: partition });
    const m = await inspectContainer(img, opts);
    await writeAll(io.stdout, values.json === true || all ? inspectJson(m) : inspectText(m, opts));
  } finally {
    await img.close();
  }
  return EXIT.OK;
}
