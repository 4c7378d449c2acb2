/**
 * What singularity's inspect script does in the container, done on the root file system: the files
 * under `/.singularity.d` and `/scif/apps/<name>/scif` (symlinks followed inside the image only),
 * each value with trailing newlines trimmed, labels decoded as Go decodes them.
 *
 * @module
 */
import { isSifError } from '../errors.js';
import { compareBytes } from '../squashfs/directory.js';
import type { SquashFs } from '../squashfs/fs.js';

/** An inspect section. */
export type Section = 'labels' | 'deffile' | 'helpfile' | 'runscript' | 'startscript' | 'test' | 'environment';
/** The file of each single-file section, under `/.singularity.d` or an app's `scif`. */
const FILE_OF: Record<Exclude<Section, 'environment'>, string> = {
  labels: 'labels.json',
  deffile: 'Singularity',
  helpfile: 'runscript.help',
  runscript: 'runscript',
  startscript: 'startscript',
  test: 'test',
};

/** One app's data while it is gathered (maps always present, emptied fields pruned at the end). */
export interface App {
  environment: Record<string, string>;
  labels: Record<string, string>;
  runscript?: string;
  startscript?: string;
  test?: string;
  helpfile?: string;
}

/** The data while it is gathered (maps always present). */
export interface Work {
  apps: Record<string, App>;
  environment: Record<string, string>;
  labels: Record<string, string>;
  runscript?: string;
  test?: string;
  helpfile?: string;
  deffile?: string;
  startscript?: string;
}

const utf8 = new TextEncoder();

/** Byte-wise comparison of strings (Go's sort order for map keys). */
export const byBytes = (a: string, b: string): number => compareBytes(utf8.encode(a), utf8.encode(b));

/** Reads a file if it is a regular file once symlinks are followed (inside the image), else undefined. */
async function regularFile(fs: SquashFs, path: string): Promise<string | undefined> {
  try {
    const st = await fs.stat(path);
    if (st.type !== 'file') return undefined;
    return new TextDecoder().decode(await fs.readFile(path));
  } catch (e) {
    if (isSifError(e, 'PATH_NOT_FOUND', 'NOT_A_DIRECTORY', 'SYMLINK_LOOP')) return undefined;
    throw e;
  }
}

async function isDir(fs: SquashFs, path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).type === 'dir';
  } catch (e) {
    if (isSifError(e, 'PATH_NOT_FOUND', 'NOT_A_DIRECTORY', 'SYMLINK_LOOP')) return false;
    throw e;
  }
}

/** Names in a directory matching a shell glob of the form prefix*suffix (no hidden names), sorted. */
async function glob(fs: SquashFs, dir: string, prefix: string, suffix: string): Promise<string[]> {
  if (!(await isDir(fs, dir))) return [];
  const names = (await fs.readdir(dir)).map((e) => e.name);
  return names.filter((n) => !n.startsWith('.') && n.length >= prefix.length + suffix.length && n.startsWith(prefix) && n.endsWith(suffix)).sort(byBytes);
}

/**
 * The inspect script's work, on the file system.
 *
 * @param fs - the root file system
 * @param out - the data gathered so far
 * @param sections - the sections asked for, in singularity's order
 * @param deffileFromFile - whether the definition file comes from the file system
 * @param all - `--all`
 * @param app - the app asked for, or empty
 * @param addApp - adds an app to `out`
 * @param warn - warnings
 */
export async function fromFiles(
  fs: SquashFs,
  out: Work,
  sections: Section[],
  deffileFromFile: boolean,
  all: boolean,
  app: string,
  addApp: (name: string) => App,
  warn: (m: string) => void,
): Promise<void> {
  // Apps: every /scif/apps/<name> with a scif/ directory.
  const appDirs: string[] = [];
  for (const name of await glob(fs, '/scif/apps', '', '')) {
    if (await isDir(fs, `/scif/apps/${name}/scif`)) {
      addApp(name);
      if (all) appDirs.push(`/scif/apps/${name}/scif`);
    }
  }
  const prefixes = [app ? `/scif/apps/${app}/scif` : '/.singularity.d', ...appDirs];
  const set = (section: Section, value: string, file: string): void => {
    value = value.replace(/\n+$/, '');
    const m = /^\/scif\/apps\/([^/\s]+)/.exec(file);
    const target = m ? out.apps[m[1]!] : undefined;
    if (m && !target) return;
    if (section === 'deffile') {
      out.deffile ||= value;
    } else if (section === 'labels') {
      (target ?? out).labels = parseLabels(value, warn);
    } else if (section === 'environment') {
      (target ?? out).environment[file] = value;
    } else (target ?? out)[section] = value;
  };
  for (const s of sections) {
    if (s === 'deffile' && !deffileFromFile) continue;
    for (const prefix of prefixes) {
      if (s === 'environment') {
        const files: string[] = [];
        if (prefix.endsWith('/.singularity.d')) files.push(...(await glob(fs, `${prefix}/env`, '10-docker', '.sh')));
        files.push(...(await glob(fs, `${prefix}/env`, '9', '-environment.sh')));
        for (const f of files) {
          const path = `${prefix}/env/${f}`;
          const text = await regularFile(fs, path);
          if (text !== undefined) set(s, text, path);
        }
        continue;
      }
      const path = `${prefix}/${FILE_OF[s]}`;
      const text = await regularFile(fs, path);
      if (text !== undefined) set(s, text, path);
    }
  }
}

/** Labels as singularity decodes them into `map[string]string`, warning as it does. */
function parseLabels(text: string, warn: (m: string) => void): Record<string, string> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    warn(`Unable to parse labels: ${e instanceof Error ? e.message : String(e)}`);
    return {};
  }
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    warn(`Unable to parse labels: json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type map[string]string`);
    return {};
  }
  const out: Record<string, string> = {};
  let bad: string | undefined;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === 'string') out[k] = x;
    else bad ??= x === null ? undefined : `json: cannot unmarshal ${Array.isArray(x) ? 'array' : typeof x} into Go value of type string`;
  }
  if (bad) warn(`Unable to parse labels: ${bad}`);
  return out;
}
