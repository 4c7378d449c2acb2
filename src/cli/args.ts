/**
 * Flag parsing in the style of Go's pflag (`--flag value`, `--flag=value`, `-f value`).
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';

/** Flag definitions for {@link parseFlags}. */
export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed flags and positionals. */
export interface Parsed {
  /** Flag values by long name. */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** Positional arguments. */
  positionals: string[];
}

/**
 * Parses argv with the given flags; `-h/--help` is always accepted.
 *
 * @param args - arguments after the command name
 * @param options - flag definitions
 * @returns values and positionals
 * @throws UsageError for unknown or malformed flags
 */
export function parseFlags(args: string[], options: FlagSpec): Parsed {
  try {
    const r = parseArgs({
      args,
      options: { help: { type: 'boolean', short: 'h' }, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values: r.values as Parsed['values'], positionals: r.positionals };
  } catch (e) {
    const msg = (e as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(msg);
    if (unknown) throw new UsageError(`unknown flag: ${unknown[1]}`);
    const missing = /Option '([^']+)' argument missing/.exec(msg);
    if (missing) throw new UsageError(`flag needs an argument: ${missing[1]!.split(',').pop()!.trim().split(' ')[0]}`);
    throw new UsageError(msg.split('\n')[0]!);
  }
}

/**
 * Checks the positional count as cobra's `ExactArgs(n)` does.
 *
 * @param p - the positionals
 * @param n - expected count
 */
export function exactArgs(p: string[], n: number): void {
  if (p.length !== n) throw new UsageError(`accepts ${n} arg(s), received ${p.length}`);
}

/**
 * Parses an unsigned integer flag or argument as Go's `strconv.ParseUint(s, 10, bits)`.
 *
 * @param s - text
 * @param what - name for the error
 * @param max - the largest value
 * @returns the number
 */
export function parseUint(s: string | undefined, what: string, max = 0xffffffff): number {
  if (s === undefined || !/^[0-9]+$/.test(s)) {
    throw new UsageError(`${what}: strconv.ParseUint: parsing ${JSON.stringify(s ?? '')}: invalid syntax`);
  }
  const n = Number(s);
  if (n > max) throw new UsageError(`${what}: strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

/**
 * Parses a signed integer flag.
 *
 * @param s - text
 * @param what - name for the error
 * @returns the number
 */
export function parseInt32(s: string | undefined, what: string): number {
  if (s === undefined || !/^-?[0-9]+$/.test(s) || Math.abs(Number(s)) > 0x7fffffff) {
    throw new UsageError(`invalid argument ${JSON.stringify(s ?? '')} for "--${what}" flag`);
  }
  return Number(s);
}

/**
 * Parses an RFC 3339 time to Unix seconds.
 *
 * @param s - e.g. `2020-06-30T00:01:56Z`
 * @param what - flag name for the error
 * @returns Unix seconds
 */
export function parseTime(s: string, what: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s)) {
    throw new UsageError(`--${what}: ${JSON.stringify(s)} is not an RFC 3339 time`);
  }
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new UsageError(`--${what}: ${JSON.stringify(s)} is not a valid time`);
  return Math.floor(ms / 1000);
}

/** singularity's object-selection flags, shared by `sign` and `verify` (old names kept as aliases). */
export const SELECTION_FLAGS = {
  'group-id': { type: 'string', short: 'g' },
  groupid: { type: 'string' },
  'sif-id': { type: 'string', short: 'i' },
  id: { type: 'string' },
} as const;

/**
 * Reads `-g/--group-id` and `-i/--sif-id` (and their deprecated names).
 *
 * @param values - parsed flags
 * @returns the selected groups and objects
 */
export function parseSelection(values: Parsed['values']): { groups?: number[]; objects?: number[] } {
  const group = (values['group-id'] ?? values.groupid) as string | undefined;
  const object = (values['sif-id'] ?? values.id) as string | undefined;
  return {
    ...(group !== undefined ? { groups: [parseUint(group, 'invalid argument for "--group-id" flag')] } : {}),
    ...(object !== undefined ? { objects: [parseUint(object, 'invalid argument for "--sif-id" flag')] } : {}),
  };
}

/** Output styles: SingularityCE/PRO 3.x, CE 4.x, Apptainer. */
export type Style = 'ce3' | 'ce4' | 'apptainer';

/**
 * Reads `--style` (default `ce3`).
 *
 * @param values - parsed flags
 * @returns the style
 */
export function parseStyle(values: Parsed['values']): Style {
  const style = (values.style as string | undefined) ?? 'ce3';
  if (style !== 'ce3' && style !== 'ce4' && style !== 'apptainer') throw new UsageError(`--style: unknown style ${JSON.stringify(style)}`);
  return style;
}
