// Header, object table and object details, as siftool shows them; object data saved straight from
// the file (Blob.slice: the browser streams it, nothing is read into memory here).
import { formatHeader, formatInfo, formatList } from '../../src/cli/siftool-format.js';
import type { SifImage } from '../../src/index.js';
import { button, byId, h, humanSize, saveBlob, showError } from './dom.js';

/** latin1 → text as the terminal would show siftool's bytes (UTF-8 where it decodes). */
function display(binary: string): string {
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0) & 0xff);
  return new TextDecoder().decode(bytes);
}

/** Draws the header, the list and the object table of an opened image. */
export function showImage(file: File, img: SifImage): void {
  byId('header-text').textContent = formatHeader(img);
  byId('list-text').textContent = display(formatList(img));
  const body = byId('objects').querySelector('tbody')!;
  body.replaceChildren();
  byId('object-info').hidden = true;
  for (const d of img.objects()) {
    const name = d.name || `object-${d.id}.bin`;
    const info = button('Info', () => {
      try {
        byId('object-info-h').textContent = `Object ${d.id} (siftool info ${d.id})`;
        byId('object-info-text').textContent = display(formatInfo(d));
        byId('object-info').hidden = false;
        showError(undefined);
      } catch (e) {
        showError(e);
      }
    }, { 'aria-label': `Info about object ${d.id}` });
    const save = button('Save', () => saveBlob(file.slice(d.offset, d.offset + d.size), name), {
      'aria-label': `Save the data of object ${d.id} (${humanSize(d.size)})`,
      'data-object': String(d.id),
    });
    body.append(
      h(
        'tr',
        {},
        h('td', { class: 'num' }, String(d.id)),
        h('td', {}, d.groupId === 0 ? 'NONE' : String(d.groupId)),
        h('td', {}, d.dataTypeName),
        h('td', {}, d.name),
        h('td', { class: 'num' }, humanSize(d.size)),
        h('td', {}, info, save),
      ),
    );
  }
}
