// Issue point 9: what a library user needs without the CLI — unlocking a protected key, singularity's
// keyrings, keys from readPgpKeys as a keyring, AbortSignal and progress on long operations — and a
// public surface that hides internals, typechecks in a strict consumer (skipLibCheck: false), and
// whose portable entry imports nothing from node:.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, describe, expect, it } from 'vitest';
import * as node from '../../src/node.js';
import { addObject, BytesStore, createImage, DataType, decryptPgpKey, isSifError, loadImage, readPgpKeys, signImage, verifyImage, type PgpPrivateKey } from '../../src/index.js';
import { ROOT, TESTDATA } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-surface-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('what the CLI had and the library lacked', () => {
  it('decryptPgpKey unlocks a protected key; a wrong passphrase is BAD_PASSPHRASE', async () => {
    const { privateKey } = await openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'Lib User', email: 'lib@sifkit.test' }], passphrase: 'secret' });
    const [locked] = (await readPgpKeys(new TextEncoder().encode(privateKey))) as PgpPrivateKey[];
    await expect(decryptPgpKey(locked!, 'wrong')).rejects.toSatisfy((e) => isSifError(e, 'BAD_PASSPHRASE'));
    const img = await loadImage(new Uint8Array(readFileSync(join(TESTDATA, 'images/multi.sif'))));
    await expect(signImage(img, { pgpKey: locked! })).rejects.toSatisfy((e) => isSifError(e, 'KEY_LOCKED'));
    await signImage(img, { pgpKey: await decryptPgpKey(locked!, 'secret') });
    expect((await verifyImage(img, { keyring: [locked!] })).verified).toBe(true);
  });

  it("singularity's keyrings from the Node entry: keyringPaths, readKeyring", async () => {
    const p = node.keyringPaths({ SINGULARITY_SYPGPDIR: join(dir, 'sypgp') });
    expect(p.public).toBe(join(dir, 'sypgp/pgp-public'));
    expect(await node.readKeyring(p.public)).toEqual([]);
  });

  it('AbortSignal: an aborted verify reports ABORTED; an add aborted mid-stream leaves the image as it was', async () => {
    const img = await loadImage(new Uint8Array(readFileSync(join(TESTDATA, 'images/sample-signed.sif'))));
    const r = await verifyImage(img, { keyring: await readPgpKeys(new Uint8Array(readFileSync(join(TESTDATA, 'keys/sample-public.asc')))), signal: AbortSignal.abort() });
    expect(r.verified).toBe(false);
    expect(r.errors[0]?.code).toBe('ABORTED');
    const store = new BytesStore();
    const target = await createImage(store, { deterministic: true });
    const before = store.bytes().slice();
    const ctl = new AbortController();
    async function* chunks() {
      yield new Uint8Array(1000);
      ctl.abort();
      yield new Uint8Array(1000);
    }
    await expect(addObject(target, { dataType: DataType.Generic, data: chunks() }, { signal: ctl.signal })).rejects.toSatisfy((e) => isSifError(e, 'ABORTED'));
    expect(store.bytes()).toEqual(before);
  });

  it('addObject reports progress', async () => {
    const img = await createImage(new BytesStore(), { deterministic: true });
    const seen: number[] = [];
    await addObject(img, { dataType: DataType.Generic, data: [new Uint8Array(300), new Uint8Array(700)] }, { onProgress: (n) => seen.push(n) });
    expect(seen).toEqual([300, 1000]);
  });
});

describe('the published surface', () => {
  it('the .d.ts hides the mutable internals of SifImage', () => {
    const dts = readFileSync(join(ROOT, 'dist/image/image.d.ts'), 'utf8');
    expect(dts).toContain('export declare class SifImage');
    expect(dts).not.toMatch(/_header|_slots|_slotBytes/);
  });

  it('the portable entry (sifkit) imports nothing from node:, statically or dynamically', () => {
    const seen = new Set<string>();
    const bad: string[] = [];
    const walk = (f: string): void => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const m of readFileSync(f, 'utf8').matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const spec = m[1] ?? m[2]!;
        if (spec.startsWith('node:')) bad.push(`${f}: ${spec}`);
        else if (spec.startsWith('.')) walk(resolve(dirname(f), spec));
      }
    };
    walk(join(ROOT, 'dist/index.js'));
    expect(seen.size).toBeGreaterThan(20);
    expect(bad).toEqual([]);
  });

  it('a strict consumer (skipLibCheck: false) typechecks against sifkit and sifkit/node', () => {
    const c = join(dir, 'consumer');
    mkdirSync(join(c, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(c, 'node_modules/sifkit'));
    writeFileSync(join(c, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
    writeFileSync(
      join(c, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true, lib: ['ES2023', 'DOM'], types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] },
        files: ['main.ts'],
      }),
    );
    writeFileSync(
      join(c, 'main.ts'),
      `import { loadImage, verifyImage, readPgpKeys, type VerifyReport } from 'sifkit';
import { openImage, recoverImage } from 'sifkit/node';
const img = await loadImage(new Uint8Array(0));
const r: VerifyReport = await verifyImage(img, { keyring: await readPgpKeys(new Uint8Array(0)) });
console.log(r.verified, (await openImage('x')).header, await recoverImage('x'));
`,
    );
    expect(existsSync(join(ROOT, 'node_modules/typescript/bin/tsc'))).toBe(true);
    const t = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', c], { encoding: 'utf8' });
    expect(t.stdout + t.stderr).toBe('');
    expect(t.status).toBe(0);
  }, 60_000);
});

it('images from the Node entry still edit with their crash journal by default', async () => {
  const p = join(dir, 'edit.sif');
  copyFileSync(join(TESTDATA, 'images/sample.sif'), p);
  const img = await node.openImage(p, { writable: true });
  await addObject(img, { dataType: DataType.Generic, data: new Uint8Array(10) });
  await img.close();
  expect(existsSync(`${p}.sifkit-journal`)).toBe(false);
});
