// The reader worker: reads slices of the image for the verify worker and hands the bytes over
// (transferred, not copied). A worker's own Blob reads only make progress between its tasks, so
// when the verify worker both read and hashed, reading waited for every hash; here the next slice
// arrives while the current one is hashed (bench/web.mjs measures the difference).
import type { ReadReply, ReadRequest } from './messages.js';

let file: Blob | undefined;

self.addEventListener('message', (ev: MessageEvent<{ port: MessagePort }>) => {
  const port = ev.data.port;
  port.addEventListener('message', (m: MessageEvent<ReadRequest>) => {
    const r = m.data;
    if (r.type === 'file') {
      file = r.file;
      return;
    }
    const blob = file;
    if (!blob) {
      port.postMessage({ id: r.id, error: 'no image' } satisfies ReadReply);
      return;
    }
    blob
      .slice(r.offset, r.offset + r.length)
      .arrayBuffer()
      .then(
        (buf) => port.postMessage({ id: r.id, buf } satisfies ReadReply, [buf]),
        (e: unknown) => port.postMessage({ id: r.id, error: String(e) } satisfies ReadReply),
      );
  });
  port.start();
});
