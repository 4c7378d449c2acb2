// The container's data (singularity inspect: labels, definition file, runscript) and a browser of
// its root file system, both through sifkit's SquashFS reader over the file (Blob.slice).
import { modeString } from '../../src/cli/fs-format.js';
import { concatBytes } from '../../src/hash/index.js';
import { inspectContainer, isSifError, openRootFs, type SifImage, type SquashFs } from '../../src/index.js';
import { button, byId, h, humanSize, saveBlob, showError } from './dom.js';

const PREVIEW = 64 << 10;
let fs: SquashFs | undefined;

/** Fills the Container and Files sections; says in words why when the image has no root file system. */
export async function showContainer(img: SifImage): Promise<void> {
  fs = undefined;
  byId('container-views').hidden = true;
  byId('files').querySelector('tbody')!.replaceChildren();
  byId('files-path').replaceChildren();
  byId('file-view').hidden = true;
  const status = byId('container-status');
  try {
    fs = await openRootFs(img);
  } catch (e) {
    status.textContent = `No root file system to show: ${isSifError(e) ? e.message : String(e)}`;
    byId('files-section').hidden = true;
    return;
  }
  byId('files-section').hidden = false;
  const warnings: string[] = [];
  const m = await inspectContainer(img, { labels: true, deffile: true, runscript: true, rootfs: fs, onWarning: (w) => warnings.push(w) });
  const a = m.data.attributes;
  status.textContent = warnings.length ? `Warnings: ${warnings.join('; ')}` : '';
  const labels = byId('labels').querySelector('tbody')!;
  const rows = Object.entries(a.labels ?? {}).map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', {}, v)));
  labels.replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: '2' }, '(none)'))]));
  byId('deffile').textContent = a.deffile ?? '(none)';
  byId('runscript').textContent = a.runscript ?? '(none)';
  byId('container-views').hidden = false;
  await showFolder('/');
}

function join(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

async function readHead(path: string, max: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of fs!.chunks(path)) {
    parts.push(c);
    n += c.length;
    if (n >= max) break;
  }
  return concatBytes(parts).subarray(0, max);
}

async function viewFile(path: string, size: number): Promise<void> {
  const head = await readHead(path, PREVIEW);
  const binary = head.some((b) => b === 0);
  byId('file-view-h').textContent = path;
  byId('file-view-text').textContent = binary
    ? `(binary data, ${humanSize(size)}: use Save)`
    : new TextDecoder().decode(head) + (size > PREVIEW ? `\n… (first ${humanSize(PREVIEW)} of ${humanSize(size)})` : '');
  byId('file-view').hidden = false;
}

async function saveFile(path: string, name: string): Promise<void> {
  // Blob parts hold the decompressed data; browsers keep large blobs on disk.
  const parts: BlobPart[] = [];
  for await (const c of fs!.chunks(path)) parts.push(c as Uint8Array<ArrayBuffer>);
  saveBlob(new Blob(parts), name);
}

const guard = (f: () => Promise<void>) => (): void => {
  f().then(
    () => showError(undefined),
    (e: unknown) => showError(e),
  );
};

/** Lists one folder of the root file system. */
export async function showFolder(dir: string): Promise<void> {
  const entries = await fs!.readdir(dir);
  const crumbs = byId('files-path');
  crumbs.replaceChildren();
  const parts = dir.split('/').filter(Boolean);
  crumbs.append(button('/', guard(() => showFolder('/')), { 'aria-label': 'root folder' }));
  parts.forEach((p, i) => {
    const to = `/${parts.slice(0, i + 1).join('/')}`;
    crumbs.append(button(p, guard(() => showFolder(to))));
  });
  const body = byId('files').querySelector('tbody')!;
  body.replaceChildren();
  for (const { name, stat } of entries) {
    const path = join(dir, name);
    const actions: Node[] = [];
    let label: Node | string = name;
    if (stat.type === 'dir') {
      label = button(`${name}/`, guard(() => showFolder(path)), { 'aria-label': `open folder ${name}` });
    } else if (stat.type === 'file') {
      actions.push(button('View', guard(() => viewFile(path, stat.size)), { 'aria-label': `view ${name}` }));
      actions.push(button('Save', guard(() => saveFile(path, name)), { 'aria-label': `save ${name}` }));
    } else if (stat.type === 'symlink') {
      label = `${name} -> ${stat.target ?? ''}`;
    }
    body.append(h('tr', {}, h('td', {}, modeString(stat)), h('td', { class: 'num' }, String(stat.size)), h('td', {}, label), h('td', {}, ...actions)));
  }
}
