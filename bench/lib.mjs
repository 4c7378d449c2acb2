// Shared by the benchmark scripts: timing under /usr/bin/time, medians, alternating races.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';

/** Runs a command under /usr/bin/time; returns wall seconds and peak RSS in MiB. */
export function measure(cmd, argv, { stdout = 'ignore', env } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...argv], { stdio: ['ignore', stdout, 'pipe'], ...(env ? { env } : {}) });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const err = r.stderr.toString().trim().split('\n');
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${err.join('\n')}`);
  return { secs, rssMiB: Number(err[err.length - 1]) / 1024 };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Alternates the contenders `reps` times; returns median seconds and max RSS for each. */
export function race(reps, name, contenders, bytes, prepare) {
  const runs = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let i = 0; i < reps; i++) {
    for (const [k, c] of Object.entries(contenders)) {
      prepare?.(k);
      runs[k].push(measure(c[0], c[1]));
    }
  }
  const out = { name, bytes, results: {} };
  for (const [k, rs] of Object.entries(runs)) {
    const secs = median(rs.map((r) => r.secs));
    out.results[k] = { medianSecs: secs, rssMiB: Math.max(...rs.map((r) => r.rssMiB)), mbps: bytes ? bytes / secs / 1e6 : undefined };
  }
  return out;
}


/**
 * Makes a SIF with one primary partition of `size` bytes (amd64) in group 1 by sifkit's CLI, signed
 * with `key` when given. The data is a fixed pattern, written 8 MiB at a time.
 */
export function makePartitionImage(sifkit, dir, image, size, key) {
  const data = `${dir}/partition.bin`;
  const fd = openSync(data, 'w');
  const chunk = Buffer.alloc(8 << 20);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  for (let done = 0; done < size; done += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, size - done));
  closeSync(fd);
  const sk = (...a) => execFileSync(process.execPath, [sifkit, ...a], { stdio: ['ignore', 'ignore', 'inherit'] });
  sk('new', image);
  sk('add', '--datatype', '4', '--parttype', '2', '--partfs', '1', '--partarch', '2', '--groupid', '1', image, data);
  rmSync(data);
  if (key) sk('sign', '--key', key, image);
}
