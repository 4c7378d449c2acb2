// Live reference tools for interop tests: siftool (Debian), sif-ref (test/oracle: the reference Go
// library from Debian's packages behind a JSON front end), GnuPG for keys that are not in the
// repository.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';

/** Path of sif-ref: $SIF_ORACLE, or built once from test/oracle into node_modules/.cache. */
export function oraclePath(): string {
  if (process.env.SIF_ORACLE) return process.env.SIF_ORACLE;
  const out = join(ROOT, 'node_modules/.cache/sif-ref/sif-ref');
  if (!existsSync(out)) {
    mkdirSync(join(ROOT, 'node_modules/.cache/sif-ref'), { recursive: true });
    execFileSync('bash', [join(ROOT, 'test/oracle/build.sh'), out], { stdio: 'inherit' });
  }
  return out;
}

/** Runs a tool; returns stdout, stderr and status (never throws on non-zero exit). */
export function run(cmd: string, args: string[], input?: string): { stdout: string; stderr: string; code: number; stdoutBytes: Buffer } {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 30 });
  return { stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), code: r.status ?? -1, stdoutBytes: r.stdout };
}

/** sif-ref's JSON answer. A crash of the reference (Go panic or fatal error) answers `{ ok: false, crashed }`. */
export function oracle<T = Record<string, unknown>>(args: string[]): T {
  const r = run(oraclePath(), args);
  if (r.code !== 0 && r.code !== 1 && /^(panic|fatal error|runtime:)/m.test(r.stderr)) {
    return { ok: false, crashed: r.stderr.split('\n')[0], results: null } as T;
  }
  if (r.code === 2) throw new Error(`sif-ref usage: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A GnuPG-made key: armored secret (maybe passphrase-protected) and public files. */
export interface GpgKey {
  name: string;
  secret: string;
  public: string;
  passphrase: string;
  fingerprint: string;
}

/** Makes a key with gpg in a private home. `algo` is gpg's quick-gen-key algorithm name. */
export function gpgKey(dir: string, name: string, algo: string, passphrase: string): GpgKey {
  const home = mkdtempSync(join(tmpdir(), 'sifkit-gpg-'));
  const env = { ...process.env, GNUPGHOME: home };
  const uid = `${name} (interop) <${name}@sifkit.test>`;
  execFileSync('gpg', ['--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', passphrase, '--quick-gen-key', uid, algo, 'sign', 'never'], { env });
  const pub = execFileSync('gpg', ['--batch', '--armor', '--export', uid], { env });
  const sec = execFileSync('gpg', ['--batch', '--armor', '--pinentry-mode', 'loopback', '--passphrase', passphrase, '--export-secret-keys', uid], { env });
  const colons = execFileSync('gpg', ['--batch', '--with-colons', '--fingerprint', uid], { env }).toString();
  const fingerprint = /^fpr:+([0-9A-F]+):/m.exec(colons)![1]!;
  const key: GpgKey = { name, secret: join(dir, `${name}-secret.asc`), public: join(dir, `${name}-public.asc`), passphrase, fingerprint };
  writeFileSync(key.public, pub);
  writeFileSync(key.secret, sec);
  return key;
}

/** Reads a file as bytes. */
export const bytes = (p: string): Uint8Array => new Uint8Array(readFileSync(p));
