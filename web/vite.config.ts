// The offline inspector page. `npm run build:web` runs this twice:
//  - web/dist: split chunks for any static host (openpgp.js, the decompressors and the worker load
//    on demand);
//  - SIFKIT_WEB_SINGLE=1 → web/dist/sifkit-inspector.html: one self-contained file (scripts, styles
//    and the worker inlined) that also works from file://, where browsers refuse module files.
// Both carry a Content-Security-Policy with connect-src 'none': the page cannot send anything.
import { createHash } from 'node:crypto';
import { defineConfig, type Plugin } from 'vite';

const single = process.env.SIFKIT_WEB_SINGLE === '1';

function csp(scriptSrc: string): string {
  return [
    "default-src 'none'",
    `script-src ${scriptSrc} 'wasm-unsafe-eval'`,
    "worker-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Puts the Content-Security-Policy into the built page (not the dev server, whose client needs a socket). */
const splitCsp: Plugin = {
  name: 'sifkit-csp',
  apply: 'build',
  transformIndexHtml: (html) => html.replace('<head>', `<head>\n    <meta http-equiv="Content-Security-Policy" content="${csp("'self'")}" />`),
};

/** A file name as a literal inside a regular expression. */
const literal = (name: string): string => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Single-file build: the worker inlined (a blob: worker), then every script and style put into the page. */
const inlineWorker: Plugin = {
  name: 'sifkit-inline-worker',
  apply: 'build',
  enforce: 'pre',
  transform: (code, id) => (id.endsWith('/verify-view.ts') ? code.replace(/\.ts\?worker'/g, ".ts?worker&inline'") : undefined),
};
const singleFile: Plugin = {
  name: 'sifkit-single-file',
  apply: 'build',
  enforce: 'post',
  generateBundle(_opts, bundle) {
    const html = bundle['index.html'];
    if (!html || html.type !== 'asset') return;
    let text = String(html.source);
    const hashes: string[] = [];
    for (const [name, item] of Object.entries(bundle)) {
      if (item.type === 'chunk') {
        const tag = new RegExp(`<script type="module" crossorigin src="\\./${literal(name)}"></script>`);
        if (!tag.test(text)) throw new Error(`single-file build: ${name} is not the page's entry (a chunk was split off)`);
        // With code splitting off, Vite leaves its preload marker in inlined dynamic imports
        // (nothing to preload in one file).
        const code = item.code.replaceAll('__VITE_PRELOAD__', 'void 0').replace(/<\/script/gi, '<\\/script');
        hashes.push(`'sha256-${createHash('sha256').update(code).digest('base64')}'`);
        text = text.replace(tag, () => `<script type="module">${code}</script>`);
        delete bundle[name];
      } else if (name.endsWith('.css')) {
        const tag = new RegExp(`<link rel="stylesheet" crossorigin href="\\./${literal(name)}">`);
        text = text.replace(tag, () => `<style>${String(item.source)}</style>`);
        delete bundle[name];
      }
    }
    text = text.replace('<head>', `<head>\n    <meta http-equiv="Content-Security-Policy" content="${csp(hashes.join(' '))}" />`);
    html.source = text;
  },
};

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: single ? [inlineWorker, singleFile] : [splitCsp],
  build: {
    outDir: single ? 'dist-single' : 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
    // The single file holds everything (openpgp.js included) by design.
    chunkSizeWarningLimit: single ? 2048 : 500,
    rollupOptions: single ? { output: { codeSplitting: false } } : {},
  },
  worker: {
    // Chromium runs no module worker from a blob: URL in a file:// page; a classic one it does.
    format: single ? 'iife' : 'es',
    rollupOptions: single ? { output: { codeSplitting: false } } : {},
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
