import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The project's committed fixtures. */
export const TESTDATA = join(ROOT, 'testdata');
/** The workplace's shared folder (beside the repository); absent on a machine with only the repo. */
export const SHARED = process.env.SIFKIT_SHARED ?? resolve(ROOT, '../shared');
/** The v2.24.1 reference fixtures. */
export const REF = join(SHARED, 'reference-fixtures');
/** sylabs/sif v2.24.1 fixtures. */
export const REF_SIF = join(REF, 'sylabs-sif');
/** True when the shared reference fixtures are present. */
export const HAVE_REF = existsSync(join(REF_SIF, 'test/images/one-group.sif'));
/** The built CLI. */
export const CLI = join(ROOT, 'bin/sifkit.js');
