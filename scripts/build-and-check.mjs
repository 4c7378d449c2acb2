#!/usr/bin/env node
// Before the tests: the build (tsconfig.build.json → dist) and the type check of everything
// (tsconfig.json, noEmit) run side by side; either failing fails.
import { spawn } from 'node:child_process';

const tsc = 'node_modules/typescript/bin/tsc';
const run = (args) =>
  new Promise((resolve) => {
    const p = spawn(process.execPath, [tsc, ...args], { stdio: 'inherit' });
    p.on('exit', (code) => resolve(code ?? 1));
  });
const codes = await Promise.all([run(['-p', 'tsconfig.build.json']), run(['-p', 'tsconfig.json', '--noEmit'])]);
process.exit(codes.some((c) => c !== 0) ? 1 : 0);
