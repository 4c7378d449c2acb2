// The verify worker: reads the image through the reader worker (reader.ts), hashes with the browser back end
// (WebAssembly streamed, WebCrypto for small objects), checks signatures with openpgp.js (loaded on
// first use) or WebCrypto (PEM), and reports progress. The page's thread only draws.
import {
  isPem,
  isSifError,
  loadImage,
  readPemPublicKey,
  readPgpKeys,
  setHashBackend,
  verifyImage,
  webHashBackend,
  type PemPublicKey,
  type PgpKey,
} from '../../src/index.js';
import { fullReportJson, verifyTranscript } from '../../src/cli/verify-format.js';
import type { FromWorker, KeyInput, ToWorker } from './messages.js';
import { PortSource } from './port-source.js';

const post = (m: FromWorker): void => (self as unknown as Worker).postMessage(m);
const ready = webHashBackend().then((b) => {
  setHashBackend(b);
  post({ type: 'ready', backend: b.name });
});
let controller: AbortController | undefined;

async function readKeys(keys: KeyInput[]): Promise<{ pgp: PgpKey[]; pem: PemPublicKey[]; problems: string[] }> {
  const pgp: PgpKey[] = [];
  const pem: PemPublicKey[] = [];
  const problems: string[] = [];
  for (const k of keys) {
    try {
      if (isPem(k.bytes)) pem.push(await readPemPublicKey(k.bytes));
      else pgp.push(...(await readPgpKeys(k.bytes)));
    } catch (e) {
      problems.push(`${k.name}: ${isSifError(e) ? e.message : String(e)}`);
    }
  }
  return { pgp, pem, problems };
}

async function verify(file: File, keys: KeyInput[], port: MessagePort): Promise<void> {
  await ready;
  controller = new AbortController();
  const signal = controller.signal;
  const k = await readKeys(keys);
  post({ type: 'keys', pgp: k.pgp.length, pem: k.pem.length, problems: k.problems });
  const img = await loadImage(new PortSource(port, file));
  const total = img.objects().reduce((n, d) => n + (d.groupId !== 0 ? d.size : 0), 0);
  let last = 0;
  const rep = await verifyImage(img, {
    keyring: k.pgp,
    dsseKeys: k.pem,
    signal,
    onProgress: (done) => {
      const now = Date.now();
      if (now - last >= 50 || done >= total) {
        last = now;
        post({ type: 'progress', done, total });
      }
    },
  });
  port.close();
  post({
    type: 'result',
    verified: rep.verified,
    transcript: verifyTranscript(file.name, img, rep),
    report: fullReportJson(file.name, rep),
    cancelled: signal.aborted,
  });
}

self.addEventListener('message', (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (m.type === 'cancel') {
    controller?.abort(new Error('cancelled by the user'));
    return;
  }
  verify(m.file, m.keys, m.port).catch((e: unknown) => post({ type: 'error', message: isSifError(e) ? e.message : String(e) }));
});
