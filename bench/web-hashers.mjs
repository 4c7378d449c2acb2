// Bundled into a page by bench/web.mjs: SHA-256 throughput of each candidate back end inside
// Chromium, over the same 256 MiB of data fed in 4 MiB chunks (WebCrypto: one call on all of it).
import { sha256 } from '@noble/hashes/sha2.js';
import { createSHA256 } from 'hash-wasm';

globalThis.hashBench = async (mib) => {
  const chunk = new Uint8Array(4 << 20);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
  const n = mib / 4;
  const out = {};
  const time = async (name, f) => {
    const t0 = performance.now();
    await f();
    out[name] = mib / ((performance.now() - t0) / 1000);
  };
  await time('noble', () => {
    const h = sha256.create();
    for (let i = 0; i < n; i++) h.update(chunk);
    h.digest();
  });
  const w = await createSHA256();
  await time('hash-wasm', () => {
    w.init();
    for (let i = 0; i < n; i++) w.update(chunk);
    w.digest('binary');
  });
  // WebCrypto: one call per 64 MiB object (after a warm-up call).
  const obj = new Uint8Array(64 << 20);
  for (let i = 0; i < 16; i++) obj.set(chunk, i * chunk.length);
  await crypto.subtle.digest('SHA-256', chunk);
  await time('webcrypto (64 MiB one-shot calls)', async () => {
    for (let i = 0; i < mib / 64; i++) await crypto.subtle.digest('SHA-256', obj);
  });
  return out;
};
