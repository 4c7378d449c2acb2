import { readdirSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { CHROMIUM_ARGS } from './test/web/browser.js';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url)).replace(/\/$/, '');
const shim = (name: string): string => `${root}/test/browser/shims/${name}.ts`;
// Debian's Chromium (installed by .ci/run); no browser download. SIFKIT_CHROMIUM overrides.
const chromium = process.env.SIFKIT_CHROMIUM ?? '/usr/bin/chromium';

/** Lists folders of the repository for the browser tests' readdirSync shim (nothing outside it). */
const readdirRoute: Plugin = {
  name: 'sifkit-readdir',
  configureServer(server) {
    server.middlewares.use('/__sifkit/readdir', (req, res) => {
      const path = new URL(req.url ?? '', 'http://127.0.0.1').searchParams.get('path') ?? '';
      try {
        if (relative(root, path).startsWith('..')) throw new Error('outside the repository');
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(readdirSync(path)));
      } catch {
        res.statusCode = 404;
        res.end('[]');
      }
    });
  },
};

/**
 * The portable unit tests that also run in Chromium (npm run test:browser): the same files, the
 * same assertions; node:fs/path/url are replaced by shims that read the committed fixtures from
 * the Vite server.
 */
export const BROWSER_UNIT_TESTS = [
  'test/hash/web-backend.test.ts',
  'test/image/properties.test.ts',
  'test/image/malformed.test.ts',
  'test/integrity/hostile-signatures.test.ts',
  'test/integrity/tamper.test.ts',
  'test/integrity/dsse-image.test.ts',
  'test/api/options-validation.test.ts',
  'test/squashfs/fixtures.test.ts',
];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          // Interop tests need Debian's tools, root or a second user: npm run test:interop.
          exclude: ['test/interop/**', 'test/conformance/**', 'test/**/*.interop.test.ts', 'test/web/**'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'fuzz',
          include: ['test/fuzz/**/*.fuzz.ts'],
          testTimeout: 24 * 3600_000,
        },
      },
      {
        test: {
          name: 'conformance',
          include: ['test/conformance/**/*.test.ts'],
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'interop',
          include: ['test/interop/**/*.test.ts', 'test/**/*.interop.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'web',
          include: ['test/web/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        plugins: [readdirRoute],
        resolve: {
          alias: { 'node:fs': shim('fs'), 'node:path': shim('path'), 'node:url': shim('url') },
        },
        define: { __SIFKIT_ROOT__: JSON.stringify(root) },
        // The fixtures include PEM test keys, which Vite's server refuses by default.
        server: { fs: { deny: ['.env', '.env.*', '**/.git/**'] } },
        test: {
          name: 'browser',
          include: BROWSER_UNIT_TESTS,
          testTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: chromium, args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
            screenshotFailures: false,
          },
        },
      },
    ],
  },
});
