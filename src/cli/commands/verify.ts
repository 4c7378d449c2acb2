/**
 * `sifkit verify`: singularity's verify, offline.
 *
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { isSifError } from '../../errors.js';
import type { SifImage } from '../../image/image.js';
import { readPartition, readSignature } from '../../format/extras.js';
import { DataType, PartType } from '../../format/types.js';
import { verifyImage, type VerifyOptions, type VerifyResult } from '../../integrity/verify.js';
import { readPgpKeys, type KeyringEntry } from '../../keys/pgp.js';
import { HashPool, workerHasher, workersFor } from '../../node.js';
import { openForCli } from '../open.js';
import { SELECTION_FLAGS, exactArgs, parseFlags, parseSelection, parseStyle, type Parsed } from '../args.js';
import { EXIT, UsageError, errorText, writeAll, type CliIO } from '../io.js';
import { readVerifyKeys } from '../keys.js';
import type { CertificateVerifyOptions } from '../../keys/x509.js';
import { readSmallFile } from '../../io/node.js';
import { toHex } from '../../hash/index.js';
import { log } from '../log.js';
import { progressBar } from '../progress.js';
import { keyringFromDefaults } from '../keys.js';
import { failureText, formatResultText, shownResults, fullReportJson, loadFailureJson, singularityFailureJson, singularityJson, type VerifyStyle } from '../verify-format.js';

/** Help text. */
export const HELP = `Verify digital signature(s) within an image

Usage:
  sifkit verify [verify options...] <image path>

Examples:
sifkit verify --key public.asc image.sif
sifkit verify --key public.pem --json image.sif

Flags:
  -a, --all                                 verify all objects (with --legacy-insecure)
      --certificate string                  path to the signer's certificate (PEM): it must chain to
                                            a root with the code-signing usage; its key verifies the
                                            DSSE (or Apptainer X.509) signatures
      --certificate-intermediates string    path to intermediate certificates (PEM bundle)
      --certificate-roots string            path to root certificates (PEM bundle) [default: the
                                            system's]
  -g, --group-id uint32                     verify objects with the specified group ID
  -h, --help                                help for verify
  -i, --sif-id uint32                       verify object with the specified ID
  -j, --json                                output json (singularity's form)
      --json=full                           output sifkit's full JSON report on stdout (same as
                                            --report -)
      --key stringArray                     path to a key file: OpenPGP public key(s), armored or
                                            binary, or a PEM public key (DSSE); repeatable
      --legacy-insecure                     enable verification of (insecure) legacy signatures
  -l, --local                               only verify with local key(s) in keyring: never contact
                                            a key server
      --report string                       write sifkit's full JSON report (every signature, error
                                            codes) to a file ("-" for stdout); verification goes on
                                            past the first failure
      --style string                        output form: ce3 (SingularityCE/PRO 3.x, default), ce4,
                                            apptainer
  -u, --url string                          key server to fetch unknown signers' keys from
                                            [default: $SIFKIT_KEYSERVER, or the active remote's
                                            keyservers in singularity's remote.yaml]

Without --key, keys come from the local public keyring ($SINGULARITY_SYPGPDIR or
~/.singularity/sypgp/pgp-public) and the global keyring ($SIFKIT_GLOBAL_KEYRING, or
/usr/local/etc/singularity/global-pgp-public); a signer in neither is fetched from the key server
given with --url or $SIFKIT_KEYSERVER, or from the active remote's keyservers in singularity's
remote.yaml ([REMOTE]); only a key whose fingerprint is the one the signature names is used. With no
key server configured, or with --local, sifkit makes no network request at all.
`;

/**
 * Keys of signers in neither keyring, from the configured key server: for every signature object
 * whose signer fingerprint no given key has, the server's key with exactly that fingerprint (any
 * other key it sends is dropped). Failures are singularity's warning, and verification goes on.
 */
async function remoteKeys(io: CliIO, img: SifImage, have: readonly KeyringEntry[], values: Parsed['values']): Promise<KeyringEntry[]> {
  const known = new Set(have.map((e) => e.key.getFingerprint().toUpperCase()));
  const wanted = new Set<string>();
  for (const d of img.objects()) {
    if (d.dataType !== DataType.Signature) continue;
    const fp = readSignature(d.raw).fingerprint;
    if (!fp || fp.length !== 20) continue;
    const hex = toHex(fp).toUpperCase();
    if (!known.has(hex)) wanted.add(hex);
  }
  const out: KeyringEntry[] = [];
  if (wanted.size === 0) return out;
  // The network clients are loaded, and remote.yaml read, only when a signer is missing.
  const { keyservers } = await import('../keyservers.js');
  const servers = await keyservers(io, values, false, { userAgent: 'sifkit', timeoutMs: 5000 });
  if (servers.length === 0) return out;
  const { fetchKeys, httpStatus } = await import('../../clients/hkp.js');
  for (const fp of wanted) {
    // each keyserver in turn, as singularity's transport tries them, until one has the key
    let last: unknown;
    for (const opts of servers) {
      try {
        const keys = await readPgpKeys(new TextEncoder().encode(await fetchKeys(fp, opts)), 'the key server answer');
        const match = keys.filter((key) => key.getFingerprint().toUpperCase() === fp && !key.isPrivate());
        for (const key of match) out.push({ key, source: 'remote' });
        if (match.length) {
          last = undefined;
          break;
        }
        last = new Error(`${new URL(opts.url).origin} sent no key with fingerprint ${fp}`);
      } catch (e) {
        last = e;
      }
    }
    if (last) log(io, 'WARNING', `failed to get key material: ${httpStatus(last) === 404 ? 'no matching keys found for fingerprint' : errorText(last)}`);
  }
  return out;
}


/**
 * What singularity's message leaves the user to guess: which key an unknown signer used (the
 * fingerprint the signature descriptor records), and that only legacy signatures are present.
 */
/**
 * Runs `sifkit verify`.
 *
 * @param args - arguments
 * @param io - the process
 * @returns exit status
 */
export async function run(args: string[], io: CliIO): Promise<number> {
  const argv = args.map((a) => (a === '--json=full' ? '--report=-' : a));
  const { values, positionals } = parseFlags(argv, {
    key: { type: 'string', multiple: true },
    certificate: { type: 'string' },
    'certificate-intermediates': { type: 'string' },
    'certificate-roots': { type: 'string' },
    ...SELECTION_FLAGS,
    all: { type: 'boolean', short: 'a' },
    'legacy-insecure': { type: 'boolean' },
    json: { type: 'boolean', short: 'j' },
    local: { type: 'boolean', short: 'l' },
    report: { type: 'string' },
    style: { type: 'string' },
    url: { type: 'string', short: 'u' },
    keysdir: { type: 'string', short: 'd' },
  });
  if (values.help) {
    await writeAll(io.stdout, HELP);
    return EXIT.OK;
  }
  exactArgs(positionals, 1);
  const style: VerifyStyle = parseStyle(values);
  const path = positionals[0]!;
  const fatal = (msg: string): number => {
    log(io, 'FATAL', `${style === 'ce4' ? 'failed' : 'Failed'} to verify container: ${msg}`);
    return EXIT.FATAL;
  };
  const report = typeof values.report === 'string' ? values.report : undefined;
  if (report !== undefined && values.json) throw new UsageError('--json and --json=full/--report are mutually exclusive');
  // Whatever stops verification early, JSON output stays a JSON document that says why.
  const failEarly = async (e: unknown, msg: string): Promise<number> => {
    if (report !== undefined) {
      const text = loadFailureJson(path, e);
      if (report === '-') await writeAll(io.stdout, text);
      else await writeFile(report, text);
    } else if (values.json) {
      await writeAll(io.stdout, singularityFailureJson(e));
    }
    return fatal(msg);
  };
  const opts: VerifyOptions = { ...parseSelection(values) };
  const keyFiles = (values.key as string[] | undefined) ?? [];
  const certFile = typeof values.certificate === 'string' ? values.certificate : undefined;
  if (certFile !== undefined && keyFiles.length) throw new UsageError('--certificate and --key are mutually exclusive');
  if (certFile === undefined && (values['certificate-intermediates'] !== undefined || values['certificate-roots'] !== undefined)) {
    throw new UsageError('--certificate-intermediates and --certificate-roots need --certificate');
  }
  let keyMaterialLine = 'Verifying image with PGP key material';
  let pgpEntries: KeyringEntry[] | undefined;
  if (certFile !== undefined) {
    // SingularityCE: the certificate must chain to a root with the code-signing usage; its key then
    // verifies DSSE signatures.
    keyMaterialLine = `Verifying image with key material from certificate '${certFile}'`;
    try {
      const { certificateKey, readCertificates, verifyCertificate } = await import('../../keys/x509.js');
      const text = async (f: string): Promise<string> => new TextDecoder().decode(await readSmallFile(f));
      const cert = readCertificates(await text(certFile), certFile)[0]!;
      const certOpts: CertificateVerifyOptions = {};
      const inter = values['certificate-intermediates'];
      const roots = values['certificate-roots'];
      if (typeof inter === 'string') certOpts.intermediates = readCertificates(await text(inter), inter);
      if (typeof roots === 'string') certOpts.roots = readCertificates(await text(roots), roots);
      verifyCertificate(cert, certOpts);
      const key = await certificateKey(cert, certFile);
      // SingularityCE's DSSE signatures and Apptainer's X.509 messages alike
      opts.dsseKeys = [key];
      opts.certificateKeys = [key];
    } catch (e) {
      if (style !== 'ce3') log(io, 'INFO', keyMaterialLine);
      return failEarly(e, isSifError(e, 'CERTIFICATE_INVALID') ? errorText(e) : `failed to load certificate: ${errorText(e)}`);
    }
  } else {
    try {
      const keys = await readVerifyKeys(keyFiles);
      if (keys.pem.length) {
        opts.dsseKeys = keys.pem;
        keyMaterialLine = `Verifying image with key material from '${keyFiles.join("', '")}'`;
      }
      const entries = keyFiles.length ? keys.pgp : await keyringFromDefaults(io, typeof values.keysdir === 'string' ? values.keysdir : undefined);
      if (entries.length || keys.pem.length === 0) {
        pgpEntries = entries;
        opts.keyring = { entries };
      }
    } catch (e) {
      return failEarly(e, `failed to load key material: ${errorText(e)}`);
    }
  }
  opts.continueOnError = report !== undefined;
  let img;
  try {
    img = await openForCli(io, path);
  } catch (e) {
    return failEarly(e, errorText(e));
  }
  if (!values.local && keyFiles.length === 0 && certFile === undefined && pgpEntries) {
    try {
      const fetched = await remoteKeys(io, img, pgpEntries, values);
      if (fetched.length) opts.keyring = { entries: [...pgpEntries, ...fetched] };
    } catch (e) {
      await img.close();
      return failEarly(e, `failed to load key material: ${errorText(e)}`);
    }
  }
  // Workers only when several large objects can be hashed at once; SIFKIT_WORKERS=N overrides.
  const pool = new HashPool(io.env.SIFKIT_WORKERS === undefined ? workersFor(img) : Number(io.env.SIFKIT_WORKERS));
  if (pool.size > 0) opts.objectHasher = workerHasher(pool);
  try {
    if (values['legacy-insecure']) {
      opts.legacy = true;
      if (values.all) opts.legacyAll = true;
      else if (!opts.groups && !opts.objects) {
        // singularity: legacy signatures are checked on the primary system partition by default.
        try {
          const prim = img.select(
            (d) => d.dataType === DataType.Partition && readPartition(d.raw).partType === PartType.PrimSys,
          );
          if (prim.length === 0) throw new Error('object not found');
          opts.objects = [prim[0]!.id];
        } catch (e) {
          return fatal(errorText(e));
        }
      }
    }
    const total = img.objects().reduce((n, d) => n + (d.groupId !== 0 ? d.size : 0), 0);
    const progress = progressBar(io, 'Hashing', total, 256 << 20);
    if (progress.onProgress) opts.onProgress = progress.onProgress;
    const json = values.json === true;
    const color = io.stdout.isTTY === true && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
    if (!json && report !== '-') {
      if (style === 'ce3') await writeAll(io.stdout, `Verifying image: ${path}\n`);
      else log(io, 'INFO', keyMaterialLine);
    }
    const printed: VerifyResult[] = [];
    let out = '';
    opts.onResult = (r) => {
      printed.push(r);
      if (json || report === '-') return;
      progress.done();
      const { text, identityUnknown } = formatResultText(r, color);
      if (identityUnknown) log(io, 'WARNING', 'Primary identity unknown');
      io.stdout.write(text);
    };
    const rep = await verifyImage(img, opts);
    progress.done();
    if (report !== undefined) {
      const text = fullReportJson(path, rep);
      if (report === '-') await writeAll(io.stdout, text);
      else await writeFile(report, text);
    }
    // singularity stops at the first failing signature: its output covers results up to that one.
    if (json) out = singularityJson(shownResults(printed), (id) => img!.objects().find((d) => d.id === id));
    if (out) await writeAll(io.stdout, out);
    if (!rep.verified) return fatal(failureText(img, rep));
    if (report !== '-' && !json) {
      if (style === 'ce3') await writeAll(io.stdout, `Container verified: ${path}\n`);
      else log(io, 'INFO', `Verified signature(s) from image '${path}'`);
    }
    return EXIT.OK;
  } finally {
    await pool.close();
    await img.close();
  }
}
