/**
 * `sifkit sign`: singularity's sign with a key file, offline.
 *
 * @module
 */
import { signImage, type SignOptions } from '../../integrity/sign.js';
import { HashPool, workerHasher, workersFor } from '../../node.js';
import { openForCli } from '../open.js';
import { SELECTION_FLAGS, exactArgs, parseFlags, parseSelection, parseStyle, parseTime, parseUint } from '../args.js';
import { EXIT, UsageError, errorText, writeAll, type CliIO } from '../io.js';
import { readSmallFile } from '../../io/node.js';
import { isPem } from '../../keys/pem.js';
import { signingKeyFrom, unlockPgpKey } from '../keys.js';
import type { PgpPrivateKey } from '../../keys/pgp.js';
import { keyringPaths, readKeyring } from '../../keys/keyring.js';
import { Prompter } from '../prompt.js';
import { listOld } from './key.js';

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
import { log } from '../log.js';

/** Help text. */
export const HELP = `Add digital signature(s) to an image

Usage:
  sifkit sign [sign options...] <image path>

Examples:
sifkit sign image.sif                      (a key from the secret keyring; -k N picks one)
sifkit sign --key private.asc image.sif
sifkit sign --key private.pem image.sif
SIFKIT_PASSPHRASE=secret sifkit sign --key private.asc image.sif

Flags:
      --certificate string       the certificate of the PEM --key (checked to match): the DSSE signature
                                 'verify --certificate' checks, as SingularityCE 4's
      --deterministic            zero descriptor times and no PGP salt (reproducible with --time)
  -g, --group-id uint32          sign objects with the specified group ID
  -h, --help                     help for sign
  -i, --sif-id uint32            sign object with the specified ID
  -k, --keyidx string            PGP private key to use (index from 'key list --secret')
  -d, --keysdir string           keys directory [default: $SINGULARITY_SYPGPDIR or ~/.singularity/sypgp]
      --key string               path to the private key file: an OpenPGP secret key (PGP signature)
                                 or a PEM private key (DSSE signature)
      --passphrase-file string   read the key passphrase from a file (also: SIFKIT_PASSPHRASE, or a
                                 line on stdin when stdin is not a terminal)
      --style string             output form: ce3 (default), ce4, apptainer
      --time string              signature time (RFC 3339) [default: now]
`;

/**
 * Runs `sifkit sign`.
 *
 * @param args - arguments
 * @param io - the process
 * @returns exit status
 */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    key: { type: 'string' },
    certificate: { type: 'string' },
    ...SELECTION_FLAGS,
    'passphrase-file': { type: 'string' },
    time: { type: 'string' },
    deterministic: { type: 'boolean' },
    style: { type: 'string' },
    all: { type: 'boolean', short: 'a' },
    keyidx: { type: 'string', short: 'k' },
    keysdir: { type: 'string', short: 'd' },
  });
  if (values.help) {
    await writeAll(io.stdout, HELP);
    return EXIT.OK;
  }
  exactArgs(positionals, 1);
  if (typeof values.key === 'string' && typeof values.keyidx === 'string') throw new UsageError('--key and --keyidx (-k) are mutually exclusive');
  const style = parseStyle(values);
  const path = positionals[0]!;
  const fatal = (msg: string): number => {
    log(io, 'FATAL', `${style === 'ce4' ? 'failed' : 'Failed'} to sign container: ${msg}`);
    return EXIT.FATAL;
  };
  const opts: SignOptions = { ...parseSelection(values) };
  if (typeof values.time === 'string') opts.time = parseTime(values.time, 'time');
  if (values.deterministic) opts.deterministic = true;
  else opts.salt = true;
  const pass = typeof values['passphrase-file'] === 'string' ? { file: values['passphrase-file'] } : {};
  // singularity prints this first, before any key chooser or passphrase prompt.
  const keyFile = typeof values.key === 'string' ? values.key : undefined;
  const keyBytes = keyFile === undefined ? undefined : await readSmallFile(keyFile).catch((e: unknown) => e);
  if (style === 'ce3') await writeAll(io.stdout, `Signing image: ${path}\n`);
  else {
    const pem = keyBytes instanceof Uint8Array && isPem(keyBytes);
    log(io, 'INFO', pem ? `Signing image with key material from '${keyFile!}'` : 'Signing image with PGP key material');
  }
  let key;
  if (keyFile !== undefined) {
    try {
      if (!(keyBytes instanceof Uint8Array)) throw keyBytes;
      key = await signingKeyFrom(keyBytes, keyFile, io, pass);
    } catch (e) {
      return fatal(`failed to load key material: ${errorText(e)}`);
    }
  } else {
    // singularity's flow: a key from the secret keyring, by -k index or chosen interactively.
    const prompter = new Prompter(io);
    try {
      const p = keyringPaths(io.env, typeof values.keysdir === 'string' ? { keysdir: values.keysdir } : {});
      const keys = await readKeyring(p.secret);
      if (keys.length === 0) return fatal('keyring is empty');
      let idx = 0;
      if (typeof values.keyidx === 'string') idx = parseUint(values.keyidx, 'invalid argument for "--keyidx" flag');
      else if (keys.length > 1) {
        await writeAll(io.stdout, listOld(keys, io));
        const a = (await prompter.ask('Enter # of private key to use : ')).trim();
        if (!/^\d+$/.test(a)) return fatal(`strconv.Atoi: parsing ${JSON.stringify(a)}: invalid syntax`);
        idx = Number(a);
      }
      const chosen = keys[idx];
      if (!chosen) return fatal('index out of range');
      key = await unlockPgpKey(chosen as PgpPrivateKey, p.secret, io, pass, prompter);
    } catch (e) {
      return fatal(errorText(e));
    }
  }
  if (typeof values.certificate === 'string') {
    // The signature is the DSSE one SingularityCE 4 verifies with --certificate: only the key's
    // match with the certificate is checked here (a mismatch would never verify).
    if (key.kind !== 'pem') return fatal('--certificate needs a PEM private key (--key private.pem)');
    try {
      const { certificateKey, readCertificates } = await import('../../keys/x509.js');
      const cert = readCertificates(new TextDecoder().decode(await readSmallFile(values.certificate)), values.certificate)[0]!;
      const certKey = await certificateKey(cert, values.certificate);
      if (!sameBytes(certKey.spki, key.key.spki)) return fatal(`the key in ${keyFile!} is not the key of the certificate ${values.certificate}`);
    } catch (e) {
      return fatal(`failed to load certificate: ${errorText(e)}`);
    }
  }
  if (key.kind === 'pem') opts.dsseKeys = [key.key];
  else opts.pgpKey = key.key;
  let img;
  try {
    img = await openForCli(io, path, true);
  } catch (e) {
    return fatal(errorText(e));
  }
  // Workers only when several large objects can be hashed at once; SIFKIT_WORKERS=N overrides.
  const pool = new HashPool(io.env.SIFKIT_WORKERS === undefined ? workersFor(img) : Number(io.env.SIFKIT_WORKERS));
  try {
    await signImage(img, pool.size > 0 ? { ...opts, objectHasher: workerHasher(pool) } : opts);
  } catch (e) {
    return fatal(`integrity: ${errorText(e)}`);
  } finally {
    await pool.close();
    await img.close();
  }
  if (style === 'ce3') await writeAll(io.stdout, `Signature created and applied to ${path}\n`);
  else log(io, 'INFO', `Signature created and applied to image '${path}'`);
  return EXIT.OK;
}
