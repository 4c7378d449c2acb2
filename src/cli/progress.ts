/**
 * A one-line progress bar on a terminal's stderr (bytes, rate, time left); nothing at all when
 * stderr is not a terminal, so pipelines and logs stay clean.
 *
 * @module
 */
import type { CliIO } from './io.js';
import { readableSize } from './text.js';

/** A progress reporter: `onProgress` is undefined when nothing is shown. */
export interface Progress {
  /** Called with bytes done so far (and the total, when it changes). */
  onProgress?: (done: number, total?: number) => void;
  /** Clears the line. */
  done(): void;
}

/**
 * Starts a progress line.
 *
 * @param io - the process
 * @param label - e.g. `Hashing`, `Downloading`
 * @param total - bytes in all
 * @param minTotal - show nothing for less than this
 * @returns the reporter
 */
export function progressBar(io: CliIO, label: string, total: number, minTotal = 0): Progress {
  if (io.stderr.isTTY !== true || total < minTotal || io.env.TERM === 'dumb') return { done() {} };
  const start = Date.now();
  let last = 0;
  let all = total;
  return {
    onProgress(n, t) {
      if (t !== undefined) all = t;
      const now = Date.now();
      if (now - last < 200 && n < all) return;
      last = now;
      const secs = Math.max(0.001, (now - start) / 1000);
      const rate = n / secs;
      const eta = rate > 0 && all > n ? ` ETA ${Math.ceil((all - n) / rate)}s` : '';
      const pct = all > 0 ? ` ${Math.floor((100 * n) / all)}%` : '';
      io.stderr.write(`\r\x1b[K${label} ${readableSize(n)} / ${readableSize(all)}${pct} (${readableSize(Math.round(rate))}/s)${eta}`);
    },
    done() {
      if (last) io.stderr.write('\r\x1b[K');
    },
  };
}
