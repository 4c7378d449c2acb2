import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The project's committed fixtures. */
export const TESTDATA = join(ROOT, 'testdata');
/** The built CLI. */
export const CLI = join(ROOT, 'bin/sifkit.js');

/**
 * The upstream corpora folder for `npm run test:conformance`, named by $SIFKIT_REFERENCE_FIXTURES
 * (CI: ../shared/reference-fixtures). Throws — the suite fails loudly, it never skips — when it is
 * not set or does not hold the corpora.
 *
 * @returns the folder
 */
export function referenceFixtures(): string {
  const dir = process.env.SIFKIT_REFERENCE_FIXTURES;
  if (!dir) throw new Error('SIFKIT_REFERENCE_FIXTURES is not set: point it at the reference-fixtures folder (sylabs-sif/, real-world/, ...)');
  if (!existsSync(join(dir, 'sylabs-sif/test/images/one-group.sif'))) {
    throw new Error(`SIFKIT_REFERENCE_FIXTURES=${dir} does not hold sylabs-sif/test/images (the sylabs/sif v2.24.1 corpus)`);
  }
  return dir;
}
