// Images that are not in the repository, both directions: random images written by sifkit are read
// by siftool and by the reference library exactly as sifkit reads them, and random images written by
// siftool are read by sifkit exactly as siftool prints them. (siftool 2.8.3 lacks the OCI types and
// loong64, so those are left to the v2.24.1 fixtures.)
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addObject, createImageFile, deleteObject, openImage, DataType, FSType, PartType, type ObjectInput } from '../../src/node.js';
import { runCli } from '../helpers/cli.js';
import { oracle, run } from './tools.js';

const dir = mkdtempSync(join(tmpdir(), 'sifkit-roundtrip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SEED = Number(process.env.SIFKIT_SEED ?? 7);

const objectArb: fc.Arbitrary<ObjectInput> = fc.oneof(
  fc.record({
    dataType: fc.constantFrom(DataType.Deffile, DataType.EnvVar, DataType.Labels, DataType.GenericJSON, DataType.Generic),
    data: fc.uint8Array({ maxLength: 700 }),
    group: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
    name: fc.stringMatching(/^[a-z0-9._-]{0,30}$/),
    alignment: fc.constantFrom(0, 8, 512),
  }),
  fc.record({
    dataType: fc.constant(DataType.Partition),
    data: fc.uint8Array({ minLength: 1, maxLength: 700 }),
    group: fc.integer({ min: 1, max: 4 }),
    partition: fc.record({
      fsType: fc.constantFrom(FSType.Squash, FSType.Ext3, FSType.ImmuObj, FSType.Raw),
      partType: fc.constantFrom(PartType.System, PartType.Data, PartType.Overlay),
      arch: fc.constantFrom('386', 'amd64', 'arm', 'arm64', 'ppc64le', 's390x', 'riscv64'),
    }),
  }),
  fc.record({
    dataType: fc.constant(DataType.SBOM),
    data: fc.uint8Array({ maxLength: 200 }),
    group: fc.integer({ min: 1, max: 2 }),
    sbom: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({
    dataType: fc.constant(DataType.Signature),
    data: fc.uint8Array({ maxLength: 200 }),
    group: fc.constant(null),
    signature: fc.record({ hashType: fc.integer({ min: 1, max: 5 }), fingerprint: fc.uint8Array({ minLength: 20, maxLength: 20 }) }),
  }),
);

async function compareWithSiftool(path: string): Promise<void> {
  for (const cmd of ['header', 'list']) {
    const ref = run('siftool', [cmd, path]);
    const ours = await runCli([cmd, path]);
    expect(ours.stdout, `${cmd} ${path}`).toBe(ref.stdout);
  }
  const ids = (await openImage(path)).objects().map((d) => d.id);
  for (const id of ids) {
    const ref = run('siftool', ['info', String(id), path]);
    const ours = await runCli(['info', String(id), path]);
    expect(ours.stdout, `info ${id}`).toBe(ref.stdout);
    const dump = run('siftool', ['dump', String(id), path]);
    expect((await runCli(['dump', String(id), path])).stdoutBytes, `dump ${id}`).toEqual(new Uint8Array(dump.stdoutBytes));
  }
}

describe('images that are not in the repository', () => {
  it('written by sifkit: siftool and the reference library read them as sifkit does', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(objectArb, { maxLength: 9 }), fc.array(fc.nat(), { maxLength: 2 }), async (objects, deletions) => {
        const path = join(dir, `sifkit-${n++}.sif`);
        const img = await createImageFile(path, { time: 1700000000 + n });
        for (const o of objects) await addObject(img, o, { time: 1700000100 });
        const live = img.objects();
        for (const d of deletions) if (live.length) await deleteObject(img, live[d % live.length]!.id, { time: 1700000200 }).catch(() => undefined);
        await img.close();
        await compareWithSiftool(path);
        const ref = oracle<{ ok: boolean; descriptors: { id: number; dataTypeCode: number; groupID: number; offset: number; size: number; name: string }[] | null }>(['inspect', path]);
        const ours = await openImage(path);
        expect(ref.ok).toBe(true);
        expect((ref.descriptors ?? []).map((d) => [d.id, d.dataTypeCode, d.groupID, d.offset, d.size, d.name])).toEqual(
          ours.objects().map((d) => [d.id, d.dataType, d.groupId, d.offset, d.size, d.name]),
        );
        await ours.close();
      }),
      { numRuns: 25, seed: SEED },
    );
  });

  it('written by siftool: sifkit prints what siftool prints', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(objectArb, { maxLength: 8 }), async (objects) => {
        const path = join(dir, `siftool-${n++}.sif`);
        expect(run('siftool', ['new', path]).code).toBe(0);
        for (const [i, o] of objects.entries()) {
          const input = join(dir, `in-${n}-${i}`);
          writeFileSync(input, o.data as Uint8Array);
          const args = ['add', path, input, '--datatype', String(o.dataType - 0x4000), '--groupid', String(o.group ?? 0)];
          if (o.alignment) args.push('--alignment', String(o.alignment));
          if (o.name) args.push('--filename', o.name);
          if (o.partition) {
            const arch = ['386', 'amd64', 'arm', 'arm64', 'ppc64', 'ppc64le', 'mips', 'mipsle', 'mips64', 'mips64le', 's390x', 'riscv64'].indexOf(o.partition.arch) + 1;
            args.push('--partfs', String(o.partition.fsType), '--parttype', String(o.partition.partType), '--partarch', String(arch));
          }
          if (o.sbom) args.push('--sbomformat', ['', 'cyclonedx-json', 'cyclonedx-xml', 'github-json', 'spdx-json', 'spdx-rdf', 'spdx-tag-value', 'spdx-yaml', 'syft-json'][o.sbom]!);
          if (o.signature) args.push('--signhash', String(o.signature.hashType), '--signentity', Buffer.from(o.signature.fingerprint!).toString('hex'));
          expect(run('siftool', args).code, args.join(' ')).toBe(0);
        }
        await compareWithSiftool(path);
      }),
      { numRuns: 25, seed: SEED },
    );
  });

  it('sifkit setprim and del agree with siftool on the same image', async () => {
    const base = join(dir, 'prim.sif');
    expect(run('siftool', ['new', base]).code).toBe(0);
    const raw = join(dir, 'raw.bin');
    writeFileSync(raw, Buffer.alloc(100, 7));
    for (const arch of ['2', '4']) {
      expect(run('siftool', ['add', base, raw, '--datatype', '4', '--partfs', '4', '--parttype', '1', '--partarch', arch, '--groupid', '1']).code).toBe(0);
    }
    const a = join(dir, 'prim-a.sif');
    const b = join(dir, 'prim-b.sif');
    writeFileSync(a, (await import('node:fs')).readFileSync(base));
    writeFileSync(b, (await import('node:fs')).readFileSync(base));
    // siftool 2.8.3's setprim has the arch bug fixed in v2.11.2; compare the fixed behaviour through
    // the reference library's view (list shows the partition types and the header arch).
    expect((await runCli(['setprim', '2', a])).code).toBe(0);
    expect(oracle<{ header: { primaryArch: string } }>(['inspect', a]).header.primaryArch).toBe('arm64');
    expect(run('siftool', ['list', a]).stdout).toContain('|FS (Raw/*System/arm64)');
    expect((await runCli(['del', '1', a])).code).toBe(0);
    expect(run('siftool', ['del', '1', b]).code).toBe(0);
    expect((await runCli(['list', a])).stdout.split('\n').slice(3)).toEqual(run('siftool', ['list', b]).stdout.split('\n').slice(3).map((l) => l.replace('/System/', '/*System/')));
  });
});

describe('names are raw bytes', () => {
  it('a name that is not UTF-8 prints byte for byte as siftool prints it', async () => {
    const path = join(dir, 'raw-name.sif');
    expect(run('siftool', ['new', path]).code).toBe(0);
    const data = join(dir, 'x.bin');
    writeFileSync(data, 'x');
    // Pass the name's raw bytes through bash (Node's argv would turn them into U+FFFD).
    const r = run('bash', ['-c', `siftool add "$0" "$1" --datatype 7 --groupid 1 --filename "$(printf 'caf\\xc3\\xa9-\\xff\\xfe')"`, path, data]);
    expect(r.code, r.stderr).toBe(0);
    expect((await runCli(['info', '1', path])).stdoutBytes).toEqual(new Uint8Array(run('siftool', ['info', '1', path]).stdoutBytes));
  });
});
