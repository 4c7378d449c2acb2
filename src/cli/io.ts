/**
 * The CLI's view of the process: streams, environment, terminal state. Tests pass their own.
 *
 * @module
 */
import { isSifError, type SifErrorCode } from '../errors.js';

/** A writable text/bytes sink. */
export interface OutStream {
  write(chunk: string | Uint8Array): boolean;
  once?(event: 'drain', fn: () => void): unknown;
  isTTY?: boolean;
  /** True once the reader went away (a closed pipe): further output is dropped. */
  readonly closed?: boolean;
}

/**
 * A process stream that ends quietly when its reader goes away (`sifkit dump … | head -c 10`): EPIPE
 * marks it closed, later writes are dropped, and a wait for `drain` ends at once — the command
 * finishes with the status it would have had, and prints no stack.
 *
 * @param stream - process.stdout or process.stderr
 * @returns the stream for {@link CliIO}
 */
export function pipeSafe(stream: NodeJS.WriteStream): OutStream {
  let closed = false;
  const waiting = new Set<() => void>();
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed = true;
    for (const fn of waiting) fn();
    waiting.clear();
  });
  return {
    get isTTY() {
      return stream.isTTY;
    },
    get closed() {
      return closed;
    },
    write: (chunk) => (closed ? true : stream.write(chunk)),
    once: (_event, fn) => {
      if (closed) return fn();
      const done = () => {
        waiting.delete(done);
        fn();
      };
      waiting.add(done);
      stream.once('drain', done);
    },
  };
}

/** What a CLI command gets from the process. */
export interface CliIO {
  /** Standard output. */
  stdout: OutStream;
  /** Standard error. */
  stderr: OutStream;
  /** Standard input (for passphrases). */
  stdin?: AsyncIterable<Uint8Array | string> & { isTTY?: boolean };
  /** Environment variables. */
  env: Record<string, string | undefined>;
  /** Interrupts long network commands (the real process: SIGINT). */
  signal?: AbortSignal;
}

/**
 * An abort signal for a long command: fires on Ctrl-C (SIGINT) or when `io.signal` does.
 *
 * @param io - the process
 * @returns the signal and a function that stops listening
 */
export function interrupt(io: CliIO): { signal: AbortSignal; release(): void } {
  const ctl = new AbortController();
  const stop = (): void => ctl.abort();
  if (io.signal) {
    if (io.signal.aborted) ctl.abort();
    else io.signal.addEventListener('abort', stop, { once: true });
  }
  process.once('SIGINT', stop);
  return {
    signal: ctl.signal,
    release: () => {
      process.removeListener('SIGINT', stop);
      io.signal?.removeEventListener('abort', stop);
    },
  };
}

/** A usage error: bad flags or arguments (exit status 1). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit statuses. */
export const EXIT = { OK: 0, ERROR: 1, USAGE: 1, FATAL: 255 } as const;

/**
 * Writes bytes and waits for the stream to drain when its buffer is full.
 *
 * @param out - the stream
 * @param chunk - what to write
 */
export async function writeAll(out: OutStream, chunk: string | Uint8Array): Promise<void> {
  if (!out.write(chunk) && out.once && !out.closed) await new Promise<void>((r) => out.once!('drain', r));
}

/**
 * Formats any thrown value as the one-line message the CLI prints.
 *
 * @param e - the error
 * @returns message text (no stack)
 */
export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const errno = e as NodeJS.ErrnoException;
    if (errno.code === 'ENOENT' && errno.path) return `open ${errno.path}: no such file or directory`;
    if (errno.code === 'EACCES' && errno.path) return `open ${errno.path}: permission denied`;
    if (errno.code === 'EISDIR' && errno.path) return `read ${errno.path}: is a directory`;
    return e.message;
  }
  return String(e);
}

/**
 * The code of a sifkit error, or undefined.
 *
 * @param e - the error
 * @returns the code
 */
export function errorCode(e: unknown): SifErrorCode | undefined {
  return isSifError(e) ? e.code : undefined;
}
