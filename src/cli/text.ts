/**
 * Text helpers that reproduce Go's formatting: `text/tabwriter`, `time.Time.String()`, and
 * siftool's human-readable sizes.
 *
 * @module
 */
import { GO_ZERO_TIME } from '../format/header.js';

/**
 * Go `text/tabwriter` with minwidth 0, tabwidth 0, the given padding and pad character ' ', no flags:
 * tab-terminated cells are aligned per column over each run of consecutive lines that have that column.
 *
 * @param text - lines with tab-terminated cells
 * @param padding - padding added to each column's widest cell
 * @returns the aligned text
 */
export function tabwrite(text: string, padding: number): string {
  const lines = text.split('\n');
  const trailingNewline = lines[lines.length - 1] === '';
  if (trailingNewline) lines.pop();
  const cells = lines.map((l) => l.split('\t'));
  const width = (s: string): number => [...s].length;
  const out: string[] = lines.map(() => '');
  const format = (from: number, to: number, col: number): void => {
    // Lines [from, to) all have a terminated cell at `col`… in runs.
    let i = from;
    while (i < to) {
      if (cells[i]!.length - 1 <= col) {
        i++;
        continue;
      }
      let j = i;
      let w = 0;
      while (j < to && cells[j]!.length - 1 > col) {
        w = Math.max(w, width(cells[j]![col]!) + padding);
        j++;
      }
      for (let k = i; k < j; k++) out[k] += cells[k]![col]!.padEnd(w + cells[k]![col]!.length - width(cells[k]![col]!), ' ');
      format(i, j, col + 1);
      i = j;
    }
  };
  format(0, lines.length, 0);
  for (let k = 0; k < lines.length; k++) out[k] += cells[k]![cells[k]!.length - 1]!;
  return out.join('\n') + (trailingNewline ? '\n' : '');
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * Go's `time.Time.String()` of a UTC time: `2006-01-02 15:04:05 +0000 UTC`.
 *
 * @param unix - Unix seconds
 * @returns the text
 */
export function goTimeUTC(unix: number): string {
  const d = new Date(unix * 1000);
  const y = d.getUTCFullYear();
  const year = y < 0 ? `-${String(-y).padStart(4, '0')}` : String(y).padStart(4, '0');
  return `${year}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000 UTC`;
}

/**
 * Whether a Unix time is Go's zero time (`time.Time.IsZero()`).
 *
 * @param unix - Unix seconds
 * @returns true for the zero time
 */
export function isGoZeroTime(unix: number): boolean {
  return unix === GO_ZERO_TIME;
}

/**
 * siftool's human-readable size: `N B` below 1024, else the nearest whole `KiB`, `MiB`, … .
 *
 * @param size - bytes
 * @returns the text
 */
export function readableSize(size: number): string {
  if (-1024 < size && size < 1024) return `${size} B`;
  const units = 'KMGTPE';
  let div = 1024;
  let exp = 0;
  for (let n = Math.trunc(size / 1024); n <= -1024 || n >= 1024; n = Math.trunc(n / 1024)) {
    div *= 1024;
    exp++;
  }
  const q = size / div;
  // math.Round: half away from zero.
  const r = Math.sign(q) * Math.round(Math.abs(q));
  return `${r} ${units[exp]}iB`;
}

/**
 * Left-justifies like Go's `%-Nv`.
 *
 * @param s - text
 * @param n - width
 * @returns padded text
 */
export function padRight(s: string | number, n: number): string {
  const t = String(s);
  const w = [...t].length;
  return w >= n ? t : t + ' '.repeat(n - w);
}
