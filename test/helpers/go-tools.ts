// The project's small Go programs for interop tests (test/keyclient, test/libclient,
// test/remoteyaml): the binary .ci/run built (its path in an environment variable), else built
// once into node_modules/.cache from Debian's Go packages.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.js';

const ENV = { keyclient: 'SIFKIT_KEYCLIENT', libclient: 'SIFKIT_LIBCLIENT', remoteyaml: 'SIFKIT_REMOTEYAML' } as const;

/** The path of a Go tool, built if need be. */
export function goTool(name: keyof typeof ENV): string {
  const given = process.env[ENV[name]];
  if (given) return given;
  const out = join(ROOT, `node_modules/.cache/${name}/${name}`);
  if (!existsSync(out)) execFileSync('bash', [join(ROOT, `test/${name}/build.sh`), out], { stdio: 'inherit' });
  return out;
}
