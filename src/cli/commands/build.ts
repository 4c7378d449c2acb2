/**
 * `sifkit build --remote OUT DEF`: singularity's remote build. The definition (and, for `%files`, a
 * build context of the host files it copies) goes to the build service; its log is streamed to
 * stdout exactly as the service sends it; Ctrl-C cancels the build on the service; the image is
 * then downloaded from the library the service pushed it to, its hash checked against the build's
 * checksum. sifkit builds nothing locally.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSifError } from '../../errors.js';
import { BuildClient, type BuildInfo } from '../../clients/builder.js';
import { definitionFiles, writeBuildContext } from '../../clients/build-context.js';
import { LibraryClient } from '../../clients/library.js';
import { pullToFile } from '../../clients/library-node.js';
import { isLibraryPushRef, normalizeLibraryRef } from '../../clients/library-ref.js';
import { discoverService, readRemoteConfig } from '../../clients/remote-config.js';
import { nodeFetch } from '../../clients/node-fetch.js';
import { parseFlags } from '../args.js';
import { EXIT, UsageError, errorText, interrupt, writeAll, type CliIO } from '../io.js';
import { goArch, libraryEndpoint } from '../library-endpoint.js';
import { log } from '../log.js';

const HELP = `Build an image on a remote build service

Usage:
  sifkit build --remote [build options...] <image path | library://…> <definition file>

Flags:
  -r, --remote           build on the remote build service (the only kind sifkit does)
      --builder string   the build service (URL) [default: the active remote's builder]
      --library string   the library the service pulls from and pushes to [default: the active remote's]
      --arch string      architecture to build for [default: this machine's]
  -d, --detached         submit and return; print how to pull the result
  -h, --help             help for build

Needs an access token: 'sifkit remote login', or $SIFKIT_LIBRARY_TOKEN. The build log is the
service's, verbatim; Ctrl-C cancels the build on the service.
`;

/**
 * Runs `sifkit build`.
 *
 * @param args - arguments
 * @param io - the process
 * @returns exit status
 */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    remote: { type: 'boolean', short: 'r' },
    builder: { type: 'string' },
    library: { type: 'string' },
    arch: { type: 'string' },
    detached: { type: 'boolean', short: 'd' },
  });
  if (values.help) {
    await writeAll(io.stdout, HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 2) throw new UsageError(`accepts 2 arg(s), received ${positionals.length}`);
  const fatal = (msg: string): number => {
    log(io, 'FATAL', msg);
    return EXIT.FATAL;
  };
  if (values.remote !== true && typeof values.builder !== 'string') return fatal('sifkit builds only on a remote build service: use --remote (or --builder URL)');
  const [dest, defPath] = positionals as [string, string];
  const toLibrary = dest.startsWith('library://');
  if (toLibrary && !isLibraryPushRef(dest)) return fatal(`invalid library reference: ${dest}`);
  const arch = typeof values.arch === 'string' ? values.arch : goArch();

  // Where to build, with which token and library.
  const cfg = await readRemoteConfig(io.env);
  const ep = cfg?.active ? cfg.remotes[cfg.active] : undefined;
  const token = io.env.SIFKIT_LIBRARY_TOKEN ?? ep?.token;
  if (!token) return fatal('Unable to submit build job: no authentication token, log in with `sifkit remote login`');
  let builderUrl = typeof values.builder === 'string' ? values.builder : undefined;
  if (!builderUrl && ep) builderUrl = await discoverService(ep, 'builder', { fetch: nodeFetch({ insecure: ep.insecure, env: io.env }) });
  builderUrl ??= 'https://build.sylabs.io';
  const lib = await libraryEndpoint(io, values, '', cfg);
  const libraryURL = lib.client.base.href.replace(/\/$/, '');
  const builder = new BuildClient({ baseUrl: builderUrl, token, fetch: nodeFetch({ insecure: ep?.insecure === true, env: io.env }), userAgent: 'sifkit' });

  const def = new Uint8Array(await readFile(defPath));
  const cwd = process.cwd();
  let context: { digest: string; file: string } | undefined;
  const files = definitionFiles(new TextDecoder().decode(def), cwd);
  try {
    if (files.length) {
      for (const f of files) log(io, 'INFO', `Preparing to upload ${f} to remote build service...`);
      const file = join(tmpdir(), `sifkit-build-context-${randomBytes(6).toString('hex')}.tar.gz`);
      try {
        const { size, digest } = await writeBuildContext(files, file);
        await builder.uploadContext(file, size, digest);
        context = { digest, file };
      } catch (e) {
        await rm(file, { force: true });
        log(io, 'INFO', 'This build server may not support the `%files` section for remote builds.');
        return fatal(`While performing build: failed to upload build context: ${errorText(e)}`);
      }
      await rm(file, { force: true });
    }
    let bi: BuildInfo;
    try {
      bi = await builder.submit({ definition: def, libraryRef: toLibrary ? dest : '', libraryURL, arch, ...(context ? { contextDigest: context.digest } : {}), workingDir: cwd });
    } catch (e) {
      return fatal(`While performing build: failed to post request to remote build service: ${errorText(e)}`);
    }
    if (values.detached === true) {
      let out = `Build submitted! Once it is complete, the image can be retrieved by running:\n\tsifkit pull --library ${bi.libraryURL} library://${bi.libraryRef.replace(/^library:\/\//, '')}\n\n`;
      if (lib.webUrl && typeof values.builder !== 'string' && typeof values.library !== 'string') out += `Alternatively, you can access it from a browser at:\n\t${lib.webUrl}/library/${bi.libraryRef.replace(/^library:\/\//, '')}\n`;
      await writeAll(io.stdout, out);
      return EXIT.OK;
    }
    const ctl = interrupt(io);
    try {
      await builder.output(bi.id, (b) => io.stdout.write(b), ctl.signal);
    } catch (e) {
      if (isSifError(e, 'ABORTED')) return fatal('While performing build: build cancelled');
      return fatal(`While performing build: failed to stream output from remote build service: ${errorText(e)}`);
    } finally {
      ctl.release();
    }
    try {
      bi = await builder.status(bi.id);
    } catch (e) {
      return fatal(`While performing build: failed to get status from remote build service: ${errorText(e)}`);
    }
    if (!bi.isComplete) return fatal('While performing build: build has not completed');
    if (!bi.imageSize || bi.imageSize <= 0) return fatal('While performing build: build image size <= 0');
    if (context) await builder.deleteContext(context.digest).catch((e: unknown) => log(io, 'WARNING', `failed to delete build context: ${errorText(e)}`));
    context = undefined;
    if (toLibrary) return EXIT.OK;
    // The result, from the library the service pushed it to.
    const ref = normalizeLibraryRef(bi.libraryRef);
    const client = new LibraryClient({ baseUrl: bi.libraryURL, token, fetch: nodeFetch({ env: io.env }), userAgent: 'sifkit' });
    try {
      const img = await pullToFile(client, `${ref.path}:${ref.tags[0]}`, arch, dest, { force: true });
      if (bi.imageChecksum && img.hash.toLowerCase() !== bi.imageChecksum.toLowerCase()) {
        await rm(dest, { force: true });
        return fatal(`While performing build: image checksum mismatch (expecting ${bi.imageChecksum}, got ${img.hash})`);
      }
    } catch (e) {
      return fatal(`While performing build: failed to pull image file: ${errorText(e)}`);
    }
    return EXIT.OK;
  } finally {
    if (context) await builder.deleteContext(context.digest).catch(() => undefined);
  }
}
