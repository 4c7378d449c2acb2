#!/usr/bin/env node
// npm run serve:test-library: the project's TEST DOUBLES of the Container Library and the remote
// build service (test/library-server, test/build-server) on 127.0.0.1, for trying the library
// commands and for the benchmark. They are test doubles, not products: in memory, one user, one
// token. Every build "produces" testdata/images/sample-signed.sif.
//   node scripts/serve-test-library.mjs [--port N] [--json]
import { readFileSync } from 'node:fs';
import { startBuildServer } from '../test/build-server/server.mjs';
import { startLibraryServer } from '../test/library-server/server.mjs';

const args = process.argv.slice(2);
const port = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : 8686;
let builderUrl = '';
const library = await startLibraryServer({ port, builderUri: () => builderUrl });
const builder = await startBuildServer({ library, image: readFileSync(new URL('../testdata/images/sample-signed.sif', import.meta.url)), token: library.token });
builderUrl = builder.url;
const host = library.url.replace('http://', '');
if (args.includes('--json')) {
  console.log(JSON.stringify({ library: library.url, builder: builder.url, token: library.token }));
} else {
  console.log(`Test library (a test double, not a product) on ${library.url}, build service on ${builder.url}.
Token (${library.token.length} characters) written to ./test-library-token; try:

  npx sifkit remote add --insecure local ${host}
  npx sifkit remote login --tokenfile test-library-token
  npx sifkit push testdata/images/sample-signed.sif library://me/demo/sample:latest   (after: npx sifkit key import testdata/keys/sample-public.asc)
  npx sifkit search sample
  npx sifkit pull /tmp/sample.sif library://me/demo/sample:latest
  printf 'Bootstrap: docker\nFrom: alpine\n' > /tmp/alpine.def && npx sifkit build --remote /tmp/built.sif /tmp/alpine.def
  npx sifkit delete --force library://me/demo/sample:latest

Ctrl-C stops it.`);
  const { writeFileSync } = await import('node:fs');
  writeFileSync('test-library-token', `${library.token}\n`, { mode: 0o600 });
}
const stop = async () => {
  await builder.close();
  await library.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
