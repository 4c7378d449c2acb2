/**
 * The root file systems of real images built by singularity and apptainer (busybox with xattrs, a
 * partition holding a fifo): `sifkit ls -lR` equals `unsquashfs -lln -UTC` of the partition, every
 * file's bytes equal `unsquashfs -cat`'s, and `inspect` reads singularity's build data.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openImage } from '../../src/node.js';
import { rootFsObject } from '../../src/squashfs/rootfs.js';
import { runCli } from '../helpers/cli.js';
import { referenceFixtures } from '../helpers/paths.js';

const rw = (f: string): string => join(referenceFixtures(), 'real-world', f);

describe.each(['busybox_amd64.sif', 'busybox_arm64.sif', 'stereoscope-fifo.sif'])('%s', (name) => {
  it('ls -lR and cat equal unsquashfs', async () => {
    const sif = rw(name);
    const img = await openImage(sif);
    const off = String(rootFsObject(img).offset);
    await img.close();
    const ref = spawnSync('unsquashfs', ['-lln', '-UTC', '-o', off, sif]);
    expect(ref.status).toBe(0);
    const mine = await runCli(['ls', '-lR', sif]);
    expect(mine.stdout).toBe(ref.stdout.toString());
    for (const line of mine.stdout.split('\n').filter((l) => l.startsWith('-'))) {
      const path = line.slice(line.indexOf('squashfs-root/') + 'squashfs-root'.length);
      const r = spawnSync('unsquashfs', ['-cat', '-o', off, sif, path], { maxBuffer: 1 << 28 });
      const m = await runCli(['cat', sif, path]);
      expect(Buffer.from(m.stdoutBytes).equals(r.stdout), path).toBe(true);
    }
  });
});

describe('inspect of a singularity-built image', () => {
  it('labels, deffile and runscript as singularity stored them', async () => {
    const sif = rw('busybox_amd64.sif');
    const labels = await runCli(['inspect', sif]);
    expect(labels.stdout).toMatch(/^org\.label-schema\.usage\.singularity\.deffile\.from: busybox:1\.33\.1$/m);
    const def = await runCli(['inspect', '--deffile', sif]);
    expect(def.stdout).toBe('BootStrap: docker\nFrom: busybox:1.33.1\n');
    const all = JSON.parse((await runCli(['inspect', '--all', sif])).stdout) as { data: { attributes: { runscript: string } } };
    expect(all.data.attributes.runscript.startsWith("#!/bin/sh\nOCI_ENTRYPOINT=''")).toBe(true);
  });
  it('an OCI-SIF has no primary partition: the error says where the layers are', async () => {
    const r = await runCli(['ls', rw('singularity-empty.oci.sif')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/OCI-SIF.*--partition ID/);
  });
});
