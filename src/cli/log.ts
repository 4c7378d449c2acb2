/**
 * singularity's log lines (sylog): `FATAL:   `, `INFO:    `, `WARNING: ` prefixes on stderr, coloured
 * when stderr is a terminal.
 *
 * @module
 */
import type { CliIO } from './io.js';


const LEVELS = {
  FATAL: '\x1b[31m',
  ERROR: '\x1b[31m',
  WARNING: '\x1b[33m',
  INFO: '\x1b[34m',
} as const;

/** A log level. */
export type Level = keyof typeof LEVELS;

/**
 * Writes one sylog line to stderr.
 *
 * @param io - the process
 * @param level - level
 * @param msg - message (trailing newlines trimmed, one added)
 */
export function log(io: CliIO, level: Level, msg: string): void {
  const color = io.stderr.isTTY === true && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
  io.stderr.write(logLine(level, msg, color));
}

/**
 * One sylog line as text (portable: the web page shows the same lines).
 *
 * @param level - level
 * @param msg - message (trailing newlines trimmed, one added)
 * @param color - colour the label
 * @returns the line
 */
export function logLine(level: Level, msg: string, color = false): string {
  const label = `${level}:`.padEnd(8, ' ');
  const prefix = color ? `${LEVELS[level]}${label}\x1b[0m` : label;
  return `${prefix} ${msg.replace(/\n+$/, '')}\n`;
}
