// Drives Debian's Chromium (installed by .ci/run; SIFKIT_CHROMIUM overrides) with Playwright, no
// browser download: the page tests and the in-browser benchmark share this.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser } from 'playwright';
import { ROOT } from '../helpers/paths.js';

/** The built page (npm run build:web). */
export const WEB_DIST = join(ROOT, 'web/dist');
/** Screenshots and other outputs of the browser tests (not committed). */
export const OUTPUT = join(ROOT, 'test-output/web');

/** Flags for a headless Chromium on a machine without network access. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Starts Chromium headless. */
export async function launch(): Promise<Browser> {
  const executablePath = process.env.SIFKIT_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`${executablePath} not found: apt-get install chromium (.ci/run does), or set SIFKIT_CHROMIUM`);
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** A static server for a folder on 127.0.0.1 (any free port); every request is counted. */
export async function serveStatic(dir: string): Promise<{ origin: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname));
    requests.push(path);
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
