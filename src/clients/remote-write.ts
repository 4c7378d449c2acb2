/**
 * Edits singularity's `remote.yaml` in place (Node): the user's file (`$SINGULARITY_CONFIGDIR`,
 * else `~/.singularity`) or, with `global`, the system one. The YAML document is edited, not
 * re-generated, so keys sifkit does not know are kept as they were; the file is replaced atomically
 * (a 0600 temporary file renamed over it: it can hold access tokens).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { sifError } from '../errors.js';
import { readSmallFile } from '../io/node.js';

/** The file `remote` commands edit. */
export function remoteConfigFile(env: Record<string, string | undefined>, global = false): string {
  if (global) return env.SIFKIT_SYSTEM_REMOTE_CONFIG ?? '/usr/local/etc/singularity/remote.yaml';
  const dir = env.SINGULARITY_CONFIGDIR ?? env.APPTAINER_CONFIGDIR ?? join(env.HOME ?? homedir(), '.singularity');
  return join(dir, 'remote.yaml');
}

/** A loaded, editable configuration document. */
export interface RemoteDoc {
  /** The file. */
  file: string;
  /** Reads a value at a path of keys. */
  get(path: (string | number)[]): unknown;
  /** Sets a value (creating mappings on the way). */
  set(path: (string | number)[], value: unknown): void;
  /** Deletes a key. */
  delete(path: (string | number)[]): void;
  /** Names of the remotes. */
  remotes(): string[];
  /** Writes the file back (atomically, 0600). */
  save(): Promise<void>;
}

/**
 * Loads the file for editing (an empty document when it does not exist).
 *
 * @param file - the file
 * @returns the document
 */
export async function editRemoteConfig(file: string): Promise<RemoteDoc> {
  const YAML = await import('yaml');
  let text = '';
  try {
    text = new TextDecoder().decode(await readSmallFile(file));
  } catch (e) {
    if (!/no such file/.test((e as Error).message)) throw e;
  }
  const doc = YAML.parseDocument(text);
  if (doc.errors.length) throw sifError('INVALID_ARGUMENT', `${file}: not YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  if (doc.contents === null) doc.contents = doc.createNode({}) as never;
  return {
    file,
    get: (path) => doc.getIn(path),
    set: (path, value) => doc.setIn(path, value),
    delete: (path) => void doc.deleteIn(path),
    remotes: () => {
      const r = doc.get('Remotes');
      return YAML.isMap(r) ? r.items.map((i) => String((i.key as { value?: unknown })?.value ?? i.key)) : [];
    },
    async save() {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const tmp = join(dirname(file), `.remote.yaml.${randomBytes(6).toString('hex')}.tmp`);
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(doc.toString());
        await fh.sync();
      } catch (e) {
        await fh.close();
        await rm(tmp, { force: true });
        throw e;
      }
      await fh.close();
      await rename(tmp, file);
    },
  };
}
