/**
 * Go's `time.Time.String()` in the local zone (`2020-06-15 03:40:05 +0900 JST`), as singularity's
 * `key list` prints creation times. The zone's offset and abbreviation come from the same TZif file Go
 * reads ($TZ, else /etc/localtime), so names such as `JST` or `CEST` come out as Go prints them.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

interface Zone {
  transitions: number[];
  idx: number[];
  types: { utoff: number; isdst: boolean; abbr: string }[];
}

function parseTZif(b: Uint8Array): Zone | undefined {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = String.fromCharCode(...b.subarray(0, 4));
  if (magic !== 'TZif') return undefined;
  const header = (at: number) => ({
    isut: v.getUint32(at + 20),
    isstd: v.getUint32(at + 24),
    leap: v.getUint32(at + 28),
    time: v.getUint32(at + 32),
    type: v.getUint32(at + 36),
    char: v.getUint32(at + 40),
  });
  let h = header(0);
  let at = 44;
  let size = 4;
  if (b[4]! >= 0x32) {
    // Skip the v1 block to the 64-bit v2 data.
    at += h.time * 4 + h.time + h.type * 6 + h.char + h.leap * 8 + h.isstd + h.isut;
    h = header(at);
    at += 44;
    size = 8;
  }
  const transitions: number[] = [];
  for (let i = 0; i < h.time; i++) transitions.push(size === 8 ? Number(v.getBigInt64(at + i * 8)) : v.getInt32(at + i * 4));
  at += h.time * size;
  const idx = Array.from(b.subarray(at, at + h.time));
  at += h.time;
  const raw = [];
  for (let i = 0; i < h.type; i++) raw.push({ utoff: v.getInt32(at + i * 6), isdst: b[at + i * 6 + 4] === 1, di: b[at + i * 6 + 5]! });
  at += h.type * 6;
  const chars = b.subarray(at, at + h.char);
  const abbr = (i: number): string => {
    const end = chars.indexOf(0, i);
    return new TextDecoder().decode(chars.subarray(i, end < 0 ? chars.length : end));
  };
  return { transitions, idx, types: raw.map((t) => ({ utoff: t.utoff, isdst: t.isdst, abbr: abbr(t.di) })) };
}

function zoneFile(env: Record<string, string | undefined>): string | undefined {
  const tz = env.TZ;
  if (tz === undefined) return '/etc/localtime';
  const name = tz.startsWith(':') ? tz.slice(1) : tz;
  if (name === '' || name === 'UTC') return undefined;
  return name.startsWith('/') ? name : `/usr/share/zoneinfo/${name}`;
}

/**
 * The zone offset (seconds east of UTC) and abbreviation at a Unix time.
 *
 * @param unix - Unix seconds
 * @param env - environment (TZ)
 * @returns offset and name
 */
export function zoneAt(unix: number, env: Record<string, string | undefined> = process.env): { offset: number; name: string } {
  const file = zoneFile(env);
  if (!file) return { offset: 0, name: 'UTC' };
  let zone: Zone | undefined;
  try {
    zone = parseTZif(new Uint8Array(readFileSync(file)));
  } catch {
    zone = undefined;
  }
  if (!zone || zone.types.length === 0) return { offset: 0, name: 'UTC' };
  let i = -1;
  for (let k = 0; k < zone.transitions.length && zone.transitions[k]! <= unix; k++) i = k;
  const t = i >= 0 ? zone.types[zone.idx[i]!]! : (zone.types.find((x) => !x.isdst) ?? zone.types[0]!);
  return { offset: t.utoff, name: t.abbr };
}

const p2 = (n: number): string => String(n).padStart(2, '0');

/**
 * Go's `time.Unix(unix, 0).String()` in the local zone.
 *
 * @param unix - Unix seconds
 * @param env - environment (TZ)
 * @returns e.g. `2020-06-15 03:40:05 +0900 JST`
 */
export function goLocalTime(unix: number, env: Record<string, string | undefined> = process.env): string {
  const { offset, name } = zoneAt(unix, env);
  const d = new Date((unix + offset) * 1000);
  const sign = offset < 0 ? '-' : '+';
  const off = Math.abs(offset);
  return (
    `${String(d.getUTCFullYear()).padStart(4, '0')}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ` +
    `${sign}${p2(Math.floor(off / 3600))}${p2(Math.floor((off % 3600) / 60))} ${name}`
  );
}
