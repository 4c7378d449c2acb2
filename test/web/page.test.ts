/**
 * The offline inspector page (web/, built by npm run build:web) in Debian's Chromium: the repository's
 * sample images and keys fed through the file inputs, drag-and-drop and the paste box; the page's
 * tables and texts compared with siftool's goldens and sifkit's CLI; verify verdicts for a good, a
 * tampered and a wrong-key image and a DSSE image with a PEM key; an object saved and compared byte
 * for byte; cancel and the main thread's longest task while hashing a large image; and no network
 * request at all. Screenshots of each state go to test-output/web/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectContainer } from '../../src/container/inspect.js';
import { openImage } from '../../src/node.js';
import { openRootFs } from '../../src/squashfs/rootfs.js';
import { CLI, TESTDATA } from '../helpers/paths.js';
import { launch, OUTPUT, serveStatic, WEB_DIST } from './browser.js';

let browser: Browser;
let server: Awaited<ReturnType<typeof serveStatic>>;
let page: Page;
const seen: string[] = [];
const work = mkdtempSync(join(tmpdir(), 'sifkit-web-'));

const images = join(TESTDATA, 'images');
const sample = join(images, 'sample-signed.sif');

/** What `sifkit verify --key KEY NAME` prints (stdout then stderr), run where the image is. */
function cliVerify(dir: string, name: string, key: string): string {
  const r = spawnSync(process.execPath, [CLI, 'verify', '--key', key, name], { cwd: dir, encoding: 'utf8', env: { ...process.env, SINGULARITY_CONFIGDIR: '/nonexistent' } });
  return r.stdout + r.stderr;
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(OUTPUT, `${name}.png`), fullPage: true });
}

async function openFile(path: string): Promise<void> {
  await page.evaluate(() => delete document.documentElement.dataset.image);
  await page.setInputFiles('#image-input', path);
  await page.waitForSelector('html[data-image="ready"], html[data-image="error"]', { state: 'attached' });
}

/** Drops files on an element the way a user's drag does (a DataTransfer with File objects). */
async function drop(selector: string, files: { name: string; bytes: Uint8Array }[]): Promise<void> {
  await page.evaluate(
    ({ selector, files }) => {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
      const el = document.querySelector(selector)!;
      el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    { selector, files: files.map((f) => ({ name: f.name, b64: Buffer.from(f.bytes).toString('base64') })) },
  );
}

async function verify(): Promise<{ verdict: string; text: string }> {
  await page.click('#verify-button');
  await page.waitForSelector('html[data-verify]', { state: 'attached', timeout: 120_000 });
  return { verdict: (await page.textContent('#verdict'))!, text: (await page.textContent('#verify-text'))! };
}

async function setKeys(paths: string[], pasted = ''): Promise<void> {
  await page.click('#clear-keys-button');
  if (paths.length) await page.setInputFiles('#key-input', paths);
  await page.fill('#key-text', pasted);
}

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  server = await serveStatic(WEB_DIST);
  browser = await launch();
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
  page = await context.newPage();
  context.on('request', (r) => seen.push(r.url()));
  page.on('pageerror', (e) => seen.push(`pageerror: ${e.message}`));
  await page.goto(`${server.origin}/index.html`);
  await page.waitForSelector('html[data-page="ready"]', { state: 'attached' });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the inspector page (split build over http://127.0.0.1)', () => {
  it('carries a Content-Security-Policy that forbids every connection', async () => {
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    expect(csp).toContain("connect-src 'none'");
    expect(csp).toContain("default-src 'none'");
  });

  it('shows the header, the object list and object info exactly as siftool does', async () => {
    await openFile(sample);
    await shot('1-opened');
    expect(await page.textContent('#header-text')).toBe(readFileSync(join(TESTDATA, 'golden/sample-signed.header'), 'utf8'));
    expect(await page.textContent('#list-text')).toBe(readFileSync(join(TESTDATA, 'golden/sample-signed.list'), 'utf8'));
    await page.click('button[aria-label="Info about object 3"]');
    expect(await page.textContent('#object-info-text')).toBe(readFileSync(join(TESTDATA, 'golden/sample-signed.info.3'), 'utf8'));
    expect(await page.locator('#objects tbody tr').count()).toBe(4);
  });

  it('saves an object’s data byte for byte', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[data-object="3"]')]);
    const got = readFileSync((await download.path())!);
    const img = await openImage(sample);
    const d = img.get(3);
    await img.close();
    expect(Buffer.compare(got, readFileSync(sample).subarray(d.offset, d.offset + d.size))).toBe(0);
  });

  it('verifies a good image with a PGP key from the file input: singularity’s text, and the report', async () => {
    await setKeys([join(TESTDATA, 'keys/sample-public.asc')]);
    const r = await verify();
    await shot('2-verified');
    expect(r.verdict).toBe('Verified');
    expect(r.text).toBe(cliVerify(images, 'sample-signed.sif', join(TESTDATA, 'keys/sample-public.asc')));
    const report = JSON.parse((await page.textContent('#verify-report'))!) as { verified: boolean };
    expect(report.verified).toBe(true);
    expect(await page.getAttribute('html', 'data-hash-backend')).toBe('wasm');
  });

  it('does not verify with the wrong key', async () => {
    await setKeys([join(TESTDATA, 'keys/other-public.asc')]);
    const r = await verify();
    await shot('3-wrong-key');
    expect(r.verdict).toBe('Not verified');
    expect(r.text).toBe(cliVerify(images, 'sample-signed.sif', join(TESTDATA, 'keys/other-public.asc')));
    expect(r.text).toMatch(/^FATAL: {3}Failed to verify container: integrity: /m);
  });

  it('does not verify a tampered image dropped on the page', async () => {
    const bytes = new Uint8Array(readFileSync(sample));
    bytes[bytes.length - 3000] ^= 1; // inside the root file system
    const dir = join(work, 'tampered');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'tampered.sif'), bytes);
    await page.evaluate(() => delete document.documentElement.dataset.image);
    await drop('#image-drop', [{ name: 'tampered.sif', bytes }]);
    await page.waitForSelector('html[data-image="ready"]', { state: 'attached' });
    await drop('#key-drop', [{ name: 'sample-public.asc', bytes: readFileSync(join(TESTDATA, 'keys/sample-public.asc')) }]);
    await page.click('#clear-keys-button');
    await drop('body', [{ name: 'sample-public.asc', bytes: readFileSync(join(TESTDATA, 'keys/sample-public.asc')) }]);
    const r = await verify();
    await shot('4-tampered');
    expect(r.verdict).toBe('Not verified');
    expect(r.text).toBe(cliVerify(dir, 'tampered.sif', join(TESTDATA, 'keys/sample-public.asc')));
    expect(r.text).toContain('object integrity');
  });

  it('verifies a DSSE image with a pasted PEM key', async () => {
    await openFile(join(TESTDATA, 'dsse/sample-p256.sif'));
    await setKeys([], readFileSync(join(TESTDATA, 'dsse/p256-public.pem'), 'utf8'));
    const r = await verify();
    await shot('5-dsse');
    expect(r.verdict).toBe('Verified');
    expect(r.text).toBe(cliVerify(join(TESTDATA, 'dsse'), 'sample-p256.sif', join(TESTDATA, 'dsse/p256-public.pem')));
  });

  it('runs verification from the keyboard alone (Tab to Verify, Enter)', async () => {
    await setKeys([], readFileSync(join(TESTDATA, 'dsse/ed25519-public.pem'), 'utf8'));
    await page.evaluate(() => delete document.documentElement.dataset.verify);
    await page.focus('#key-text');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('verify-button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('html[data-verify]', { state: 'attached' });
    expect(await page.textContent('#verdict')).toBe('Not verified');
  });

  it('shows labels, the definition file, the runscript and the files of the container', async () => {
    const path = join(TESTDATA, 'squashfs/images/singularity-meta.sif');
    await openFile(path);
    await shot('6-container');
    const img = await openImage(path);
    const want = (await inspectContainer(img, { labels: true, deffile: true, runscript: true })).data.attributes;
    const fs = await openRootFs(img);
    const rootNames = (await fs.readdir('/')).map((e) => e.name);
    const hosts = new TextDecoder().decode(await fs.readFile('/etc/hosts').catch(() => fs.readFile('/.singularity.d/runscript')));
    const hostsPath = (await fs.readFile('/etc/hosts').then(() => '/etc/hosts').catch(() => '/.singularity.d/runscript'));
    await img.close();
    const labels = await page.$$eval('#labels tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(Object.fromEntries(labels)).toEqual(want.labels);
    expect(await page.textContent('#deffile')).toBe(want.deffile);
    expect(await page.textContent('#runscript')).toBe(want.runscript);
    const shown = await page.$$eval('#files tbody tr td:nth-child(3)', (tds) => tds.map((td) => td.textContent!.replace(/\/$/, '').replace(/ -> .*$/, '')));
    expect(shown).toEqual(rootNames);
    const [dir, file] = [hostsPath.slice(0, hostsPath.lastIndexOf('/')), hostsPath.slice(hostsPath.lastIndexOf('/') + 1)];
    for (const part of dir.split('/').filter(Boolean)) await page.click(`button[aria-label="open folder ${part}"]`);
    await page.click(`button[aria-label="view ${file}"]`);
    await page.waitForSelector('#file-view:not([hidden])');
    await shot('7-file');
    expect(await page.textContent('#file-view-text')).toBe(hosts);
  });

  it('says in words when a file is not a SIF image', async () => {
    await openFile(join(TESTDATA, 'keys/sample-public.asc'));
    await shot('8-not-sif');
    expect(await page.getAttribute('html', 'data-image')).toBe('error');
    const err = (await page.textContent('#error'))!;
    expect(err.length).toBeGreaterThan(10);
    expect(err).not.toMatch(/\n\s+at /);
    expect(await page.isVisible('#image-views')).toBe(false);
  });

  it('hashes a large image in a worker: progress, cancel, and a responsive page', async () => {
    const big = join(work, 'big.sif');
    const data = join(work, 'big.bin');
    writeFileSync(data, Buffer.alloc(384 << 20, 0x5a));
    const run = (args: string[]): void => {
      const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    };
    run(['new', big]);
    run(['add', '--datatype', '4', '--parttype', '2', '--partfs', '1', '--partarch', '2', '--groupid', '1', big, data]);
    run(['sign', '--key', join(TESTDATA, 'keys/sample-secret.asc'), big]);
    await openFile(big);
    await setKeys([join(TESTDATA, 'keys/sample-public.asc')]);
    // Cancel part-way.
    await page.evaluate(() => delete document.documentElement.dataset.verify);
    await page.click('#verify-button');
    await page.waitForFunction(() => Number((document.getElementById('verify-progress') as HTMLProgressElement).value) > 0);
    await page.click('#cancel-button');
    await page.waitForSelector('html[data-verify]', { state: 'attached' });
    await shot('9-cancelled');
    expect(await page.getAttribute('html', 'data-verify')).toBe('cancelled');
    expect(await page.textContent('#verdict')).toBe('Cancelled: not verified');
    // The whole run, watching the main thread's long tasks.
    await page.evaluate(() => {
      (window as unknown as { longest: number }).longest = 0;
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) (window as unknown as { longest: number }).longest = Math.max((window as unknown as { longest: number }).longest, e.duration);
      }).observe({ type: 'longtask' });
    });
    const r = await verify();
    expect(r.verdict).toBe('Verified');
    const longest = await page.evaluate(() => (window as unknown as { longest: number }).longest);
    expect(longest).toBeLessThan(200);
  });

  it('made no network request: only the page’s own files from its origin', () => {
    const foreign = seen.filter((u) => !u.startsWith(`${server.origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
    const files = new Set(readFileSyncList(WEB_DIST));
    expect(server.requests.filter((p) => !files.has(p))).toEqual([]);
  });
});

describe('the single-file page from file://', () => {
  it('opens and verifies an image with nothing but file:, blob: and data: URLs', async () => {
    const context = await browser.newContext();
    const urls: string[] = [];
    context.on('request', (r) => urls.push(r.url()));
    const p = await context.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(`file://${join(WEB_DIST, 'sifkit-inspector.html')}`);
    await p.waitForSelector('html[data-page="ready"]', { state: 'attached' });
    await p.setInputFiles('#image-input', sample);
    await p.waitForSelector('html[data-image="ready"]', { state: 'attached' });
    expect(await p.textContent('#list-text')).toBe(readFileSync(join(TESTDATA, 'golden/sample-signed.list'), 'utf8'));
    await p.setInputFiles('#key-input', join(TESTDATA, 'keys/sample-public.asc'));
    await p.click('#verify-button');
    await p.waitForSelector('html[data-verify]', { state: 'attached', timeout: 60_000 });
    await p.screenshot({ path: join(OUTPUT, '10-file-url.png'), fullPage: true });
    expect(await p.textContent('#verdict')).toBe('Verified');
    expect(await p.textContent('#verify-text')).toBe(cliVerify(images, 'sample-signed.sif', join(TESTDATA, 'keys/sample-public.asc')));
    // An xz-compressed root file system: the lazily loaded decoder is inlined too.
    await p.setInputFiles('#image-input', join(TESTDATA, 'squashfs/images/xz.sif'));
    await p.waitForSelector('html[data-image="ready"]', { state: 'attached' });
    await p.waitForSelector('#files tbody tr');
    expect(await p.locator('#files tbody tr').count()).toBeGreaterThan(2);
    expect(errors).toEqual([]);
    expect(urls.filter((u) => !/^(file|blob|data):/.test(u))).toEqual([]);
    await context.close();
  });
});

function readFileSyncList(dir: string): string[] {
  const r = spawnSync('find', ['.', '-type', 'f'], { cwd: dir, encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map((p) => p.slice(1));
}
