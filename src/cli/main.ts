/**
 * The `sifkit` command line. Commands are loaded on demand so start-up stays small.
 *
 * @module
 */
import { EXIT, UsageError, errorText, pipeSafe, type CliIO } from './io.js';

const ROOT_HELP = `sifkit: read, write, sign and verify Singularity Image Format (SIF) images.

Usage:
  sifkit [command]

Available Commands:
  add         Add data object
  build       Build an image on a remote build service (--remote)
  cat         Print files of the container's file system
  del         Delete data object
  delete      Delete an image from a library
  dump        Dump data object
  export      Write the container's file system as a tar archive
  extract     Extract the container's file system to a directory
  header      Display global header
  help        Help about any command
  info        Display data object info
  inspect     Show labels, scripts and other metadata of the container
  key         Manage OpenPGP keys (singularity's keyrings)
  list        List data objects
  ls          List files in the container's file system
  new         Create SIF image
  pull        Pull an image from a library (library://)
  push        Upload an image to a library
  recover     Finish or undo an interrupted edit
  remote      Manage library endpoints and tokens (singularity's remote.yaml)
  search      Search a library for images
  setprim     Set primary system partition
  sign        Add digital signature(s) to an image
  verify      Verify digital signature(s) within an image

Flags:
  -h, --help      help for sifkit
  -v, --version   version for sifkit

Use "sifkit [command] --help" for more information about a command.
`;

type Runner = (args: string[], io: CliIO) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Runner>> = {
  header: async () => (await import('./commands/inspect.js')).run.bind(null, 'header'),
  list: async () => (await import('./commands/inspect.js')).run.bind(null, 'list'),
  info: async () => (await import('./commands/inspect.js')).run.bind(null, 'info'),
  dump: async () => (await import('./commands/inspect.js')).run.bind(null, 'dump'),
  new: async () => (await import('./commands/modify.js')).run.bind(null, 'new'),
  add: async () => (await import('./commands/modify.js')).run.bind(null, 'add'),
  del: async () => (await import('./commands/modify.js')).run.bind(null, 'del'),
  setprim: async () => (await import('./commands/modify.js')).run.bind(null, 'setprim'),
  ls: async () => (await import('./commands/fs.js')).run.bind(null, 'ls'),
  cat: async () => (await import('./commands/fs.js')).run.bind(null, 'cat'),
  extract: async () => (await import('./commands/fs.js')).run.bind(null, 'extract'),
  export: async () => (await import('./commands/fs.js')).run.bind(null, 'export'),
  inspect: async () => (await import('./commands/container-inspect.js')).run,
  recover: async () => (await import('./commands/recover.js')).run,
  verify: async () => (await import('./commands/verify.js')).run,
  sign: async () => (await import('./commands/sign.js')).run,
  key: async () => (await import('./commands/key.js')).run,
  keys: async () => (await import('./commands/key.js')).run,
  pull: async () => (await import('./commands/library.js')).run.bind(null, 'pull'),
  push: async () => (await import('./commands/library.js')).run.bind(null, 'push'),
  search: async () => (await import('./commands/library.js')).run.bind(null, 'search'),
  delete: async () => (await import('./commands/library.js')).run.bind(null, 'delete'),
  remote: async () => (await import('./commands/remote.js')).run,
  build: async () => (await import('./commands/build.js')).run,
};

/** The process's real streams and environment. */
export function processIO(): CliIO {
  return { stdout: pipeSafe(process.stdout), stderr: pipeSafe(process.stderr), stdin: process.stdin, env: process.env };
}

/**
 * Runs the CLI.
 *
 * @param argv - arguments after the program name
 * @param io - the process (default: the real one)
 * @returns the exit status
 */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '-h' || cmd === '--help') {
    io.stdout.write(ROOT_HELP);
    return EXIT.OK;
  }
  if (cmd === 'help') return main(rest.length ? [rest[0]!, '--help'] : [], io);
  if (cmd === '-v' || cmd === '--version' || cmd === 'version') {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    io.stdout.write(`sifkit version ${pkg.version}\n`);
    return EXIT.OK;
  }
  const load = COMMANDS[cmd];
  if (!load) {
    io.stderr.write(`Error: unknown command "${cmd}" for "sifkit"\nRun 'sifkit --help' for usage.\n`);
    return EXIT.USAGE;
  }
  const runner = await load();
  try {
    return await runner(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`Error: ${e.message}\nRun 'sifkit ${cmd} --help' for usage.\n`);
      return EXIT.USAGE;
    }
    io.stderr.write(`Error: ${errorText(e)}\n`);
    return EXIT.ERROR;
  }
}
