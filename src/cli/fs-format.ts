/**
 * The long listing `unsquashfs -lln -UTC` prints, so `sifkit ls -l` output can be diffed with it:
 * mode string, `uid/gid`, size (or `major,minor`) right-aligned to column 26 of the owner field,
 * UTC time to the minute, path, and ` -> target` for symlinks.
 *
 * @module
 */
import type { Stat } from '../squashfs/fs.js';

const TYPE_CHAR: Record<Stat['type'], string> = { dir: 'd', file: '-', symlink: 'l', block: 'b', char: 'c', fifo: 'p', socket: 's' };

/**
 * `ls -l`'s ten-character mode string.
 *
 * @param st - the facts
 * @returns e.g. `drwxr-xr-x`
 */
export function modeString(st: Stat): string {
  const key = st.mode;
  let cached = modeStrings.get(key);
  if (cached === undefined) {
    cached = computeMode(st);
    modeStrings.set(key, cached);
  }
  return cached;
}

const modeStrings = new Map<number, string>();

function computeMode(st: Stat): string {
  const m = st.mode;
  const rwx = (shift: number, special: number, on: string, off: string): string => {
    const r = m & (4 << shift) ? 'r' : '-';
    const w = m & (2 << shift) ? 'w' : '-';
    const x = m & (1 << shift);
    const s = m & special;
    return r + w + (s ? (x ? on : off) : x ? 'x' : '-');
  };
  return TYPE_CHAR[st.type] + rwx(6, 0o4000, 's', 'S') + rwx(3, 0o2000, 's', 'S') + rwx(0, 0o1000, 't', 'T');
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:MM` in UTC, remembered for the last few hundred times (images share mtimes). */
const minutes = new Map<number, string>();
function utcMinute(mtime: number): string {
  let s = minutes.get(mtime);
  if (s === undefined) {
    const t = new Date(mtime * 1000);
    s = `${t.getUTCFullYear()}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())} ${pad2(t.getUTCHours())}:${pad2(t.getUTCMinutes())}`;
    if (minutes.size > 512) minutes.clear();
    minutes.set(mtime, s);
  }
  return s;
}

/** printf's `%*s`/`%*d` with a possibly negative width (left-justified then). */
function field(text: string, width: number): string {
  return width < 0 ? text.padEnd(-width) : text.padStart(width);
}

/**
 * One line of `unsquashfs -lln -UTC`.
 *
 * @param path - the path as printed (`squashfs-root/dir/file`)
 * @param st - the facts
 * @returns the line, without a newline
 */
export function longLine(path: string, st: Stat): string {
  const owner = `${st.uid}/${st.gid}`;
  const width = 26 - String(st.uid).length - String(st.gid).length;
  let size: string;
  if (st.type === 'block' || st.type === 'char') {
    // unsquashfs prints the stored 32-bit number split as old-style major (>> 8) and minor (& 0xff);
    // that differs from the real numbers (kept in `rdev`) only for majors > 4095 or minors > 255.
    const { major, minor } = st.rdev!;
    const raw = ((minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)) >>> 0;
    size = field('', width - 7) + `${String(raw >>> 8).padStart(3)},${String(raw & 0xff).padStart(3)}`;
  } else size = field(String(st.type === 'fifo' || st.type === 'socket' ? 0 : st.size), width);
  const when = utcMinute(st.mtime);
  return `${modeString(st)} ${owner}${size} ${when} ${path}${st.type === 'symlink' ? ` -> ${st.target}` : ''}`;
}
