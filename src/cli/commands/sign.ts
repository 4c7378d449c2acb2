/**
 * `sifkit sign`: singularity's sign with a key file, offline.
 *
 * @module
 */
import { signImage, type SignOptions } from '../../integrity/sign.js';
import { fileJournal, HashPool, openImage, workerHasher, workersFor } from '../../node.js';
import { exactArgs, parseFlags, parseTime, parseUint } from '../args.js';
import { EXIT, UsageError, errorText, writeAll, type CliIO } from '../io.js';
import { readFile } from 'node:fs/promises';
import { isPem } from '../../keys/pem.js';
import { readSigningKey, signingKeyFrom } from '../keys.js';
import { keyringPaths, readKeyring } from '../../keys/keyring.js';
import { Prompter } from '../prompt.js';
import { listOld } from './key.js';
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
    'group-id': { type: 'string', short: 'g' },
    groupid: { type: 'string' },
    'sif-id': { type: 'string', short: 'i' },
    id: { type: 'string' },
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
  const style = (values.style as string | undefined) ?? 'ce3';
  if (!['ce3', 'ce4', 'apptainer'].includes(style)) throw new UsageError(`--style: unknown style ${JSON.stringify(style)}`);
  const path = positionals[0]!;
  const fatal = (msg: string): number => {
    log(io, 'FATAL', `${style === 'ce4' ? 'failed' : 'Failed'} to sign container: ${msg}`);
    return EXIT.FATAL;
  };
  const opts: SignOptions = { durable: fileJournal(positionals[0]!) };
  const group = (values['group-id'] ?? values.groupid) as string | undefined;
  const object = (values['sif-id'] ?? values.id) as string | undefined;
  if (group !== undefined) opts.groups = [parseUint(group, 'invalid argument for "--group-id" flag')];
  if (object !== undefined) opts.objects = [parseUint(object, 'invalid argument for "--sif-id" flag')];
  if (typeof values.time === 'string') opts.time = parseTime(values.time, 'time');
  if (values.deterministic) opts.deterministic = true;
  else opts.salt = true;
  const pass = typeof values['passphrase-file'] === 'string' ? { file: values['passphrase-file'] } : {};
  // singularity prints this first, before any key chooser or passphrase prompt.
  if (style === 'ce3') await writeAll(io.stdout, `Signing image: ${path}\n`);
  else {
    const pem = typeof values.key === 'string' && isPem(new Uint8Array(await readFile(values.key).catch(() => Buffer.alloc(0))));
    log(io, 'INFO', pem ? `Signing image with key material from '${values.key as string}'` : 'Signing image with PGP key material');
  }
  let key;
  if (typeof values.key === 'string') {
    try {
      key = await readSigningKey(values.key, io, pass);
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
      key = await signingKeyFrom(chosen.write() as Uint8Array, p.secret, io, pass, prompter);
    } catch (e) {
      return fatal(errorText(e));
    }
  }
  if (key.kind === 'pem') opts.dsseKeys = [key.key];
  else opts.pgpKey = key.key;
  let img;
  try {
    img = await openImage(path, { writable: true });
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
