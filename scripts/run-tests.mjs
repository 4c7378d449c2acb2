#!/usr/bin/env node
// Runs one vitest project and ends with a plain "<project>: N passed, N failed, N skipped" line, so
// CI logs state the count whatever the reporter. Exit status is vitest's.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const project = process.argv[2] ?? 'unit';
const extra = process.argv.slice(3);
if (project === 'conformance' && !process.env.SIFKIT_REFERENCE_FIXTURES) {
  console.error('test:conformance: set SIFKIT_REFERENCE_FIXTURES to the reference-fixtures folder (e.g. ../shared/reference-fixtures)');
  console.log('conformance: 0 passed, 1 failed, 0 skipped');
  process.exit(1);
}
const dir = '.vitest-tmp';
mkdirSync(dir, { recursive: true });
const out = join(dir, `${project}.json`);
rmSync(out, { force: true });
const r = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...extra],
  { stdio: 'inherit' },
);
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const j = JSON.parse(readFileSync(out, 'utf8'));
  passed = j.numPassedTests;
  failed = j.numFailedTests;
  skipped = j.numPendingTests + (j.numTodoTests ?? 0);
} catch {
  failed = Math.max(failed, 1);
}
console.log(`${project}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(r.status ?? 1);
