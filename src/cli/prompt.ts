/**
 * Questions on the terminal (singularity's prompts), or answers read line by line from a stdin that
 * is not a terminal, so every interactive flow can be scripted.
 *
 * @module
 */
import { sifError } from '../errors.js';
import type { CliIO } from './io.js';

/** Reads answers: from the terminal when stdin is one, else successive lines of stdin. */
export class Prompter {
  #buf = '';
  #it: AsyncIterator<Uint8Array | string> | undefined;
  #eof = false;

  constructor(readonly io: CliIO) {}

  async #line(): Promise<string | undefined> {
    for (;;) {
      const nl = this.#buf.indexOf('\n');
      if (nl >= 0) {
        const line = this.#buf.slice(0, nl).replace(/\r$/, '');
        this.#buf = this.#buf.slice(nl + 1);
        return line;
      }
      if (this.#eof) {
        if (this.#buf === '') return undefined;
        const rest = this.#buf;
        this.#buf = '';
        return rest;
      }
      if (!this.io.stdin) {
        this.#eof = true;
        continue;
      }
      this.#it ??= this.io.stdin[Symbol.asyncIterator]();
      const r = await this.#it.next();
      if (r.done) this.#eof = true;
      else this.#buf += typeof r.value === 'string' ? r.value : new TextDecoder().decode(r.value);
    }
  }

  /** Whether questions go to a person at a terminal. */
  get interactive(): boolean {
    return this.io.stdin?.isTTY === true;
  }

  /**
   * Asks a question (prompt on stdout, as singularity prints it).
   *
   * @param prompt - e.g. `Enter your name (e.g., John Doe) : `
   * @param hidden - do not echo (passwords)
   * @returns the answer
   */
  async ask(prompt: string, hidden = false): Promise<string> {
    if (this.interactive) {
      this.io.stdout.write(prompt);
      return readTerminal(this.io, hidden);
    }
    const line = await this.#line();
    if (line === undefined) throw sifError('INVALID_ARGUMENT', `no input for "${prompt.trim()}" (stdin is not a terminal and has no more lines)`);
    return line;
  }
}

/** One line from the terminal in raw mode: echoed unless hidden, backspace handled, Ctrl-C aborts. */
function readTerminal(io: CliIO, hidden: boolean): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (d: Buffer): void => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          cleanup();
          io.stdout.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          cleanup();
          reject(sifError('BAD_PASSPHRASE', 'interrupted'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') {
          if (value && !hidden) io.stdout.write('\b \b');
          value = value.slice(0, -1);
        } else if (ch >= ' ') {
          value += ch;
          if (!hidden) io.stdout.write(ch);
        }
      }
    };
    const cleanup = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
    };
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
