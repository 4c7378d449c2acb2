/**
 * Validation of options objects at the public boundary, as openpgp.js does it: an unknown option
 * name or a value of the wrong type is a programming error, reported as `INVALID_ARGUMENT` naming the
 * function and the option — never silently ignored, never surfacing later as a crypto or I/O failure.
 *
 * @module
 */
import { sifError } from './errors.js';

/** Checks one option's value (never called for `undefined`); returns why it is wrong, or nothing. */
export type Check = (value: unknown) => string | undefined;

/** The checks of an options object, by option name. */
export type OptionSpec = Record<string, Check>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates an options object: it must be absent or a plain object whose every key is in `spec`,
 * each value passing its check.
 *
 * @param where - the function, for messages (`addObject`)
 * @param opts - the caller's options
 * @param spec - allowed options
 * @param what - the argument's name (`options`, `input`)
 * @throws SifError `INVALID_ARGUMENT`
 */
export function checkOptions(where: string, opts: unknown, spec: OptionSpec, what = 'options'): void {
  if (opts === undefined) return;
  if (!isObject(opts)) throw sifError('INVALID_ARGUMENT', `${where}: ${what} must be an object`);
  for (const [k, v] of Object.entries(opts)) {
    const check = spec[k];
    if (!check) {
      const near = Object.keys(spec).find((s) => s.startsWith(k) || k.startsWith(s));
      throw sifError('INVALID_ARGUMENT', `${where}: unknown option ${JSON.stringify(k)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}`);
    }
    if (v === undefined) continue;
    const why = check(v);
    if (why) throw sifError('INVALID_ARGUMENT', `${where}: option ${JSON.stringify(k)} ${why}`);
  }
}

/** Checks. */
export const is = {
  boolean: ((v) => (typeof v === 'boolean' ? undefined : 'must be a boolean')) as Check,
  string: ((v) => (typeof v === 'string' ? undefined : 'must be a string')) as Check,
  function: ((v) => (typeof v === 'function' ? undefined : 'must be a function')) as Check,
  bytes: ((v) => (v instanceof Uint8Array ? undefined : 'must be a Uint8Array')) as Check,
  object: ((v) => (isObject(v) ? undefined : 'must be an object')) as Check,
  /** An integer in [min, max]. */
  int:
    (min: number, max: number): Check =>
    (v) =>
      typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? undefined : `must be an integer from ${min} to ${max}`,
  /** Unix seconds (a finite number) or a valid Date. */
  time: ((v) =>
    (typeof v === 'number' && Number.isFinite(v)) || (v instanceof Date && !Number.isNaN(v.getTime()))
      ? undefined
      : 'must be Unix seconds or a valid Date') as Check,
  /** One of the given values. */
  oneOf:
    (values: readonly unknown[]): Check =>
    (v) =>
      values.includes(v) ? undefined : `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`,
  /** An array whose every element passes `each`. */
  array:
    (each: Check): Check =>
    (v) => {
      if (!Array.isArray(v)) return 'must be an array';
      for (const [i, x] of v.entries()) {
        const why = each(x);
        if (why) return `[${i}] ${why}`;
      }
      return undefined;
    },
  /** An `AbortSignal`. */
  signal: ((v) =>
    isObject(v) && typeof v.aborted === 'boolean' && typeof v.addEventListener === 'function' ? undefined : 'must be an AbortSignal') as Check,
  /** Anything but undefined: for options checked further by the function itself. */
  any: (() => undefined) as Check,
};

/**
 * Throws `ABORTED` when the signal has fired.
 *
 * @param signal - the caller's signal
 * @param what - the operation, for the message
 */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw sifError('ABORTED', `${what}: aborted`, { cause: signal.reason });
}
