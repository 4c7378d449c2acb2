import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

/** What a CLI run printed. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Uint8Array;
}

/** Runs the sifkit CLI in-process with captured streams. */
export async function runCli(
  args: string[],
  opts: { env?: Record<string, string>; tty?: boolean; stdin?: string; signal?: AbortSignal; onStdout?: (s: string) => void } = {},
): Promise<CliRun> {
  const out: Uint8Array[] = [];
  const err: string[] = [];
  const enc = new TextEncoder();
  const io: CliIO = {
    stdout: {
      write: (c) => {
        out.push(typeof c === 'string' ? enc.encode(c) : c.slice());
        opts.onStdout?.(typeof c === 'string' ? c : new TextDecoder().decode(c));
        return true;
      },
      isTTY: opts.tty ?? false,
    },
    stderr: { write: (c) => (err.push(typeof c === 'string' ? c : new TextDecoder().decode(c)), true), isTTY: opts.tty ?? false },
    // hermetic: no remote.yaml of the machine's user or system unless a test gives one
    env: { SINGULARITY_CONFIGDIR: '/nonexistent/sifkit-test', SIFKIT_SYSTEM_REMOTE_CONFIG: '/nonexistent/sifkit-test/remote.yaml', ...opts.env },
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.stdin !== undefined
      ? {
          stdin: (async function* () {
            yield opts.stdin!;
          })(),
        }
      : {}),
  };
  const code = await main(args, io);
  const total = out.reduce((n, b) => n + b.length, 0);
  const stdoutBytes = new Uint8Array(total);
  let o = 0;
  for (const b of out) {
    stdoutBytes.set(b, o);
    o += b.length;
  }
  return { code, stdout: new TextDecoder().decode(stdoutBytes), stderr: err.join(''), stdoutBytes };
}
