/**
 * `inspect` as singularity's cmd/internal/cli/inspect.go computes it, on the singularity-shaped
 * fixtures (testdata/squashfs/tree.py): from the root file system's files (singularity.sif) and from
 * the stored inspect-metadata.json and Def.FILE objects (singularity-meta.sif). The expected texts
 * follow singularity's rules: values with trailing newlines trimmed, labels `key: value` sorted,
 * environment `=== file ===` blocks for env/10-docker*.sh and env/9*-environment.sh, apps only with a
 * scif/ directory, JSON tab-indented with HTML characters escaped and empty fields left out.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectContainer } from '../../src/container/inspect.js';
import { openImage } from '../../src/node.js';
import { runCli } from '../helpers/cli.js';
import { TESTDATA } from '../helpers/paths.js';

const files = join(TESTDATA, 'squashfs/images/singularity.sif');
const meta = join(TESTDATA, 'squashfs/images/singularity-meta.sif');

const LABELS = `Maintainer: sifkit
Version: 1.2
org.label-schema.build-arch: amd64
org.label-schema.build-date: Tuesday_1_December_2026_0:0:0_UTC
org.label-schema.schema-version: 1.0
org.label-schema.usage: /.singularity.d/runscript.help
org.label-schema.usage.singularity.deffile.bootstrap: localimage
org.label-schema.usage.singularity.deffile.from: base.sif
org.label-schema.usage.singularity.runscript.help: /.singularity.d/runscript.help
org.label-schema.usage.singularity.version: 4.2.1
`;
const ENV = `=== /.singularity.d/env/10-docker2singularity.sh ===
#!/bin/sh
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

=== /.singularity.d/env/90-environment.sh ===
#!/bin/sh
# Custom environment shell code should follow


export test="testing"
export e2e="e2e testing"

=== /.singularity.d/env/91-environment.sh ===
export FROM_BUILD=1

`;

describe.each([
  ['files', files],
  ['inspect-metadata.json', meta],
])('inspect from %s', (_, image) => {
  it('labels by default', async () => {
    const r = await runCli(['inspect', image]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(LABELS);
  });
  it('runscript, test, startscript, helpfile in singularity order', async () => {
    const r = await runCli(['inspect', '-H', '-t', '-s', '-r', image]);
    expect(r.stdout).toBe(
      '#!/bin/sh\n\ncat /.singularity.d/runscript.help\n#!/bin/sh\n\necho starting\n#!/bin/sh\n\ntest -f /etc/os-release\n    This is a test container & <it> has help.\n',
    );
  });
  it('environment', async () => {
    expect((await runCli(['inspect', '--environment', image])).stdout).toBe(ENV);
  });
  it('apps: only those with a scif directory', async () => {
    expect((await runCli(['inspect', '--list-apps', image])).stdout).toBe('hello\nworld\n');
  });
  it('one app', async () => {
    const r = await runCli(['inspect', '--app', 'hello', '--environment', '--labels', '--runscript', '--json', image]);
    expect(r.stdout).toBe(`{
\t"data": {
\t\t"attributes": {
\t\t\t"apps": {
\t\t\t\t"hello": {
\t\t\t\t\t"environment": {
\t\t\t\t\t\t"/scif/apps/hello/scif/env/90-environment.sh": "HELLOTHISIS=hello\\nexport HELLOTHISIS"
\t\t\t\t\t},
\t\t\t\t\t"labels": {
\t\t\t\t\t\t"APP": "hello"
\t\t\t\t\t},
\t\t\t\t\t"runscript": "#!/bin/sh\\n\\necho hello"
\t\t\t\t}
\t\t\t}
\t\t}
\t},
\t"type": "container"
}
`);
    expect((await runCli(['inspect', '--app', 'hello', '--runscript', image])).stdout).toBe('#!/bin/sh\n\necho hello\n');
  });
  it('helpfile in JSON has HTML characters escaped as Go does', async () => {
    const r = await runCli(['inspect', '--helpfile', '--json', image]);
    expect(r.stdout).toContain('"helpfile": "    This is a test container \\u0026 \\u003cit\\u003e has help."');
  });
});

describe('inspect sources', () => {
  it('--all gives the same data from the files and from inspect-metadata.json', async () => {
    const a = await runCli(['inspect', '--all', files]);
    const b = await runCli(['inspect', '--all', meta]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const doc = JSON.parse(a.stdout) as { data: { attributes: Record<string, unknown> } };
    expect(Object.keys(doc.data.attributes)).toEqual(['apps', 'environment', 'labels', 'runscript', 'test', 'helpfile', 'deffile', 'startscript']);
    expect(Object.keys(doc.data.attributes.apps as object)).toEqual(['hello', 'world']);
  });
  it('the definition file: Def.FILE object first, else /.singularity.d/Singularity with a warning', async () => {
    const a = await runCli(['inspect', '--deffile', files]);
    const b = await runCli(['inspect', '--deffile', meta]);
    expect(a.stderr).toMatch(/^WARNING: No SIF metadata partition, searching in container\.\.\.$/m);
    expect(b.stderr).toBe('');
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.startsWith('Bootstrap: localimage\nFrom: base.sif\n')).toBe(true);
  });
  it('library: inspectContainer returns the stored runscript', async () => {
    const img = await openImage(meta);
    try {
      const m = await inspectContainer(img, { rootfs: undefined, runscript: true });
      expect(m.data.attributes.runscript).toBe('#!/bin/sh\n\ncat /.singularity.d/runscript.help');
    } finally {
      await img.close();
    }
  });
  it('an image without a root file system and without metadata is a typed error', async () => {
    const r = await runCli(['inspect', join(TESTDATA, 'images/multi.sif'), '--partition', '5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/object 5: a Raw partition: sifkit reads squashfs partitions only/);
  });
});
