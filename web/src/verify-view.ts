// Verification on the page: keys from files, drops or pasted text; the work in a Web Worker with a
// progress bar and a cancel button; singularity's output as text and the full report.
import { byId, dropZone, humanSize, showError } from './dom.js';
import type { FromWorker, KeyInput, ToWorker } from './messages.js';
import ReaderWorker from './reader.ts?worker';
import VerifyWorker from './worker.ts?worker';

const keys: KeyInput[] = [];
let worker: Worker | undefined;
let reader: Worker | undefined;
let image: File | undefined;

function startWorker(): Worker {
  const w = new VerifyWorker({ name: 'sifkit-verify' });
  w.addEventListener('message', (ev: MessageEvent<FromWorker>) => onMessage(ev.data));
  w.addEventListener('error', (ev) => {
    showError(ev.message || 'the verify worker stopped');
    running(false);
  });
  return w;
}

function send(m: ToWorker): void {
  worker ??= startWorker();
  worker.postMessage(m, m.type === 'verify' ? [m.port] : []);
}

/** A channel from the verify worker to the reader worker, for one verification. */
function readerPort(): MessagePort {
  reader ??= new ReaderWorker({ name: 'sifkit-reader' });
  const { port1, port2 } = new MessageChannel();
  reader.postMessage({ port: port1 }, [port1]);
  return port2;
}

function running(on: boolean): void {
  byId<HTMLButtonElement>('verify-button').disabled = on;
  byId<HTMLButtonElement>('cancel-button').disabled = !on;
}

function listKeys(): void {
  byId('key-list').textContent = keys.length ? `Keys: ${keys.map((k) => k.name).join(', ')}` : 'No keys given.';
}

function onMessage(m: FromWorker): void {
  const bar = byId<HTMLProgressElement>('verify-progress');
  switch (m.type) {
    case 'ready':
      document.documentElement.dataset.hashBackend = m.backend;
      return;
    case 'keys':
      byId('key-list').textContent =
        `Keys: ${m.pgp} OpenPGP, ${m.pem} PEM` + (m.problems.length ? `. Not usable: ${m.problems.join('; ')}` : '');
      return;
    case 'progress':
      bar.max = Math.max(1, m.total);
      bar.value = m.done;
      byId('verify-progress-text').textContent = `${humanSize(m.done)} of ${humanSize(m.total)}`;
      return;
    case 'result': {
      running(false);
      const verdict = byId('verdict');
      verdict.className = m.verified ? 'ok' : 'bad';
      verdict.textContent = m.cancelled ? 'Cancelled: not verified' : m.verified ? 'Verified' : 'Not verified';
      byId('verify-text').textContent = m.transcript;
      byId('verify-report').textContent = m.report;
      byId('verify-report-box').hidden = false;
      document.documentElement.dataset.verify = m.cancelled ? 'cancelled' : m.verified ? 'verified' : 'failed';
      return;
    }
    case 'error':
      running(false);
      showError(m.message);
      document.documentElement.dataset.verify = 'error';
  }
}

/** Adds key files. */
export async function addKeyFiles(files: File[]): Promise<void> {
  for (const f of files) keys.push({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
  listKeys();
}

/** Clears the previous result when another image is opened. */
export function setImage(file: File): void {
  image = file;
  byId('verdict').textContent = '';
  byId('verdict').className = '';
  byId('verify-text').textContent = '';
  byId('verify-report-box').hidden = true;
  byId<HTMLProgressElement>('verify-progress').value = 0;
  byId('verify-progress-text').textContent = '';
  delete document.documentElement.dataset.verify;
}

/** Wires the Verify section. */
export function setupVerify(): void {
  const input = byId<HTMLInputElement>('key-input');
  input.addEventListener('change', () => {
    addKeyFiles([...(input.files ?? [])]).catch(showError);
    input.value = '';
  });
  dropZone(byId('key-drop'), (files) => addKeyFiles(files).catch(showError));
  byId('verify-button').addEventListener('click', () => {
    if (!image) return;
    showError(undefined);
    const pasted = byId<HTMLTextAreaElement>('key-text').value.trim();
    const all = pasted ? [...keys, { name: 'pasted key', bytes: new TextEncoder().encode(pasted) }] : [...keys];
    setImage(image);
    running(true);
    byId('verdict').textContent = 'Verifying…';
    send({ type: 'verify', file: image, keys: all, port: readerPort() });
  });
  byId('cancel-button').addEventListener('click', () => send({ type: 'cancel' }));
  byId('clear-keys-button').addEventListener('click', () => {
    keys.length = 0;
    byId<HTMLTextAreaElement>('key-text').value = '';
    listKeys();
  });
  listKeys();
}
