/**
 * `singularity inspect` without a runtime: the same data from the same sources, in the same order.
 *
 * 1. A `inspect-metadata.json` object (what `singularity build` stores) answers everything but the
 *    definition file.
 * 2. The definition file is the first `Def.FILE` object; without one, `/.singularity.d/Singularity`.
 * 3. Otherwise the files singularity's inspect script reads in the container: `/.singularity.d/`
 *    (`labels.json`, `runscript`, `startscript`, `test`, `runscript.help`, `env/10-docker*.sh`,
 *    `env/9*-environment.sh`) and `/scif/apps/<name>/scif/` of every app — symlinks followed inside
 *    the image only — each value with trailing newlines trimmed.
 *
 * @module
 */
import { DataType } from '../format/types.js';
import type { SifImage } from '../image/image.js';
import { goMarshalIndent } from '../integrity/gojson.js';
import { checkOptions, is } from '../options.js';
import type { SquashFs } from '../squashfs/fs.js';
import { openRootFs } from '../squashfs/rootfs.js';
import { byBytes, fromFiles, type App, type Section, type Work } from './inspect-files.js';

/** One SCIF app's data (Go `inspect.AppAttributes`; empty fields are left out). */
export interface AppAttributes {
  /** Environment scripts by path. */
  environment?: Record<string, string>;
  /** Labels. */
  labels?: Record<string, string>;
  /** The app's runscript. */
  runscript?: string;
  /** The app's startscript. */
  startscript?: string;
  /** The app's test script. */
  test?: string;
  /** The app's help text. */
  helpfile?: string;
}

/** The container's data (Go `inspect.Attributes`, in its field order; empty fields are left out). */
export interface InspectAttributes {
  /** Apps by name. */
  apps?: Record<string, AppAttributes>;
  /** Environment scripts by path. */
  environment?: Record<string, string>;
  /** Labels. */
  labels?: Record<string, string>;
  /** The runscript. */
  runscript?: string;
  /** The test script. */
  test?: string;
  /** The help text. */
  helpfile?: string;
  /** The definition file. */
  deffile?: string;
  /** The startscript. */
  startscript?: string;
}

/** The `data` member of {@link InspectMetadata}. */
export interface InspectData {
  /** The attributes. */
  attributes: InspectAttributes;
}

/** What `singularity inspect --json` prints. */
export interface InspectMetadata {
  /** The data. */
  data: InspectData;
  /** Always `container`. */
  type: 'container';
}

/** Which data to gather ({@link inspectContainer}); with none of the sections chosen, labels. */
export interface InspectOptions {
  /** Labels (the default). */
  labels?: boolean;
  /** The definition file. */
  deffile?: boolean;
  /** The runscript. */
  runscript?: boolean;
  /** The startscript. */
  startscript?: boolean;
  /** The test script. */
  test?: boolean;
  /** The help text. */
  helpfile?: boolean;
  /** Environment scripts. */
  environment?: boolean;
  /** Keep every app in the result. */
  listApps?: boolean;
  /** Inspect this SCIF app instead of the container. */
  app?: string;
  /** Everything (apps included; `app` is ignored). */
  all?: boolean;
  /** Receives singularity's warnings (unparsable labels, no definition-file object, …). */
  onWarning?: (message: string) => void;
  /** An already opened root file system (default: {@link openRootFs} of the image, opened when needed). */
  rootfs?: SquashFs;
}

/** Name of the object singularity stores inspect data in. */
export const INSPECT_METADATA_NAME = 'inspect-metadata.json';


/**
 * Gathers `singularity inspect`'s data from an image, without running anything.
 *
 * @param img - the image
 * @param opts - which sections
 * @returns the data, shaped as singularity's JSON
 * @throws SifError `INVALID_ARGUMENT`; the root file system's errors when it has to be read
 */
export async function inspectContainer(img: SifImage, opts: InspectOptions = {}): Promise<InspectMetadata> {
  checkOptions('inspectContainer', opts, {
    labels: is.boolean,
    deffile: is.boolean,
    runscript: is.boolean,
    startscript: is.boolean,
    test: is.boolean,
    helpfile: is.boolean,
    environment: is.boolean,
    listApps: is.boolean,
    app: is.string,
    all: is.boolean,
    onWarning: is.function,
    rootfs: is.object,
  });
  const warn = opts.onWarning ?? ((): void => undefined);
  const all = opts.all === true;
  const app = all ? '' : (opts.app ?? '');
  const listApps = opts.listApps === true;
  const chosen = (s: Section): boolean => all || opts[s] === true;
  const defaultLabels = !['helpfile', 'deffile', 'runscript', 'startscript', 'test', 'environment'].some((s) => opts[s as Section]) && !listApps;
  const sections: Section[] = [];
  if (opts.labels || defaultLabels || all) sections.push('labels');
  for (const s of ['deffile', 'helpfile', 'runscript', 'startscript', 'test', 'environment'] as const) if (chosen(s)) sections.push(s);

  const out: Work = { apps: {}, environment: {}, labels: {} };
  const addApp = (name: string): App => (out.apps[name] ??= { environment: {}, labels: {} });

  const meta = await storedMetadata(img, warn);
  if (meta && (listApps || all)) {
    for (const [name, a] of Object.entries(meta.attributes.apps ?? {})) out.apps[name] = { ...a, environment: { ...(a.environment ?? {}) }, labels: { ...(a.labels ?? {}) } };
  }

  let fs: SquashFs | undefined = opts.rootfs;
  const rootfs = async (): Promise<SquashFs> => (fs ??= await openRootFs(img));

  // The definition file comes from the image's Def.FILE object first.
  let deffileFromFile = false;
  if (sections.includes('deffile')) {
    const d = img.objects().find((o) => o.dataType === DataType.Deffile);
    if (d) out.deffile = meta ? meta.attributes.deffile : new TextDecoder().decode(await img.read(d));
    else {
      warn('No SIF metadata partition, searching in container...');
      deffileFromFile = true;
    }
  }

  if (meta) {
    const m = meta.attributes;
    for (const s of sections) {
      if (s === 'deffile') continue;
      if (app) {
        const a = m.apps?.[app];
        if (!a) continue;
        const target = addApp(app);
        if (s === 'labels' || s === 'environment') target[s] = { ...(a[s] ?? {}) };
        else if (s === 'helpfile' || s === 'runscript' || s === 'startscript' || s === 'test') {
          if (a[s] !== undefined) target[s] = a[s];
        }
      } else if (s === 'labels' || s === 'environment') out[s] = { ...(m[s] ?? {}) };
      else if (m[s] !== undefined) out[s] = m[s];
    }
  } else {
    await fromFiles(await rootfs(), out, sections, deffileFromFile, all, app, addApp, warn);
  }

  for (const name of Object.keys(out.apps)) if (!listApps && !all && name !== app) delete out.apps[name];
  return shape(out);
}

/** The stored `inspect-metadata.json`, or undefined (with a warning when it does not decode). */
async function storedMetadata(img: SifImage, warn: (m: string) => void): Promise<InspectData | undefined> {
  const d = img.objects().find((o) => o.name === INSPECT_METADATA_NAME);
  if (!d) return undefined;
  try {
    const text = new TextDecoder().decode(await img.read(d));
    const v = JSON.parse(text) as unknown;
    const data = checkMetadata(v);
    return data;
  } catch (e) {
    warn(`Unable to read ${INSPECT_METADATA_NAME} SIF descriptor: while decoding inspect metadata: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/** Checks the stored JSON's shape (Go's decoder refuses wrong types); unknown fields are ignored. */
function checkMetadata(v: unknown): InspectData {
  const obj = (x: unknown, where: string): Record<string, unknown> => {
    if (x === null || x === undefined) return {};
    if (typeof x !== 'object' || Array.isArray(x)) throw new Error(`${where}: not an object`);
    return x as Record<string, unknown>;
  };
  const str = (x: unknown, where: string): string | undefined => {
    if (x === undefined || x === null) return undefined;
    if (typeof x !== 'string') throw new Error(`${where}: not a string`);
    return x;
  };
  const map = (x: unknown, where: string): Record<string, string> => {
    const o = obj(x, where);
    const r: Record<string, string> = {};
    for (const [k, val] of Object.entries(o)) r[k] = str(val, `${where}.${k}`) ?? '';
    return r;
  };
  const attrs = obj(obj(obj(v, 'metadata').data, 'data').attributes, 'data.attributes');
  const a: InspectAttributes = {};
  const apps = obj(attrs.apps, 'apps');
  if (attrs.apps !== undefined && attrs.apps !== null) {
    a.apps = {};
    for (const [name, x] of Object.entries(apps)) {
      const o = obj(x, `apps.${name}`);
      const app: AppAttributes = { environment: map(o.environment, `apps.${name}.environment`), labels: map(o.labels, `apps.${name}.labels`) };
      for (const k of ['runscript', 'startscript', 'test', 'helpfile'] as const) {
        const s = str(o[k], `apps.${name}.${k}`);
        if (s !== undefined) app[k] = s;
      }
      a.apps[name] = app;
    }
  }
  a.environment = map(attrs.environment, 'environment');
  a.labels = map(attrs.labels, 'labels');
  for (const k of ['runscript', 'test', 'helpfile', 'deffile', 'startscript'] as const) {
    const s = str(attrs[k], k);
    if (s !== undefined) a[k] = s;
  }
  return { attributes: a };
}

/** Sorted copy of a map, or undefined when empty (Go's `omitempty`). */
function sortedMap(m: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!m) return undefined;
  const keys = Object.keys(m).sort(byBytes);
  if (keys.length === 0) return undefined;
  const r: Record<string, string> = {};
  for (const k of keys) r[k] = m[k]!;
  return r;
}

/** Builds the result in Go's field order, empty fields left out, map keys sorted. */
function shape(w: Work): InspectMetadata {
  const a: InspectAttributes = {};
  const appNames = Object.keys(w.apps).sort(byBytes);
  if (appNames.length) {
    a.apps = {};
    for (const n of appNames) {
      const x = w.apps[n]!;
      const app: AppAttributes = {};
      const env = sortedMap(x.environment);
      if (env) app.environment = env;
      const labels = sortedMap(x.labels);
      if (labels) app.labels = labels;
      for (const k of ['runscript', 'startscript', 'test', 'helpfile'] as const) if (x[k]) app[k] = x[k];
      a.apps[n] = app;
    }
  }
  const env = sortedMap(w.environment);
  if (env) a.environment = env;
  const labels = sortedMap(w.labels);
  if (labels) a.labels = labels;
  for (const k of ['runscript', 'test', 'helpfile', 'deffile', 'startscript'] as const) if (w[k]) a[k] = w[k];
  return { data: { attributes: a }, type: 'container' };
}

/**
 * `singularity inspect --json`'s text: Go's `json.MarshalIndent(v, "", "\t")` (HTML characters
 * escaped) and a newline.
 *
 * @param m - the data
 * @returns the text
 */
export function inspectJson(m: InspectMetadata): string {
  return goMarshalIndent(m, '\t');
}

/**
 * `singularity inspect`'s text output for the same options.
 *
 * @param m - the data ({@link inspectContainer} with `opts`)
 * @param opts - the options it was gathered with
 * @returns the text
 */
export function inspectText(m: InspectMetadata, opts: Pick<InspectOptions, 'app' | 'listApps'> = {}): string {
  const a = m.data.attributes;
  const app = opts.app ? a.apps?.[opts.app] : undefined;
  let s = '';
  if (opts.listApps) for (const n of Object.keys(a.apps ?? {}).sort(byBytes)) s += `${n}\n`;
  if (a.deffile) s += `${a.deffile}\n`;
  for (const k of ['runscript', 'startscript', 'test', 'helpfile'] as const) {
    if (a[k]) s += `${a[k]}\n`;
    else if (app?.[k]) s += `${app[k]}\n`;
  }
  const env = a.environment ?? app?.environment;
  for (const [k, v] of Object.entries(env ?? {})) s += `=== ${k} ===\n${v}\n\n`;
  const labels = a.labels ?? app?.labels;
  for (const [k, v] of Object.entries(labels ?? {})) s += `${k}: ${v}\n`;
  return s;
}
