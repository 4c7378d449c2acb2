// Paths of the browser tests; Chromium and the static server come from bench/chromium.mjs (shared
// with the in-browser benchmark).
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';

export { CHROMIUM_ARGS, launch, serveStatic } from '../../bench/chromium.mjs';

/** The built page (npm run build:web). */
export const WEB_DIST = join(ROOT, 'web/dist');
/** Screenshots and other outputs of the browser tests (not committed). */
export const OUTPUT = join(ROOT, 'test-output/web');
