import type { Browser } from 'playwright';
/** Flags for a headless Chromium on a machine without network access. */
export declare const CHROMIUM_ARGS: string[];
/** Starts Chromium headless ($SIFKIT_CHROMIUM or /usr/bin/chromium). */
export declare function launch(): Promise<Browser>;
/** Serves a folder on 127.0.0.1 (a free port); every request path is recorded. */
export declare function serveStatic(dir: string): Promise<{ origin: string; requests: string[]; close(): Promise<void> }>;
