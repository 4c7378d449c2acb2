/**
 * The syntax errors of Go's encoding/json scanner, word for word, so a malformed signed message is
 * reported as the reference reports it ("invalid character 'x' after object key", "unexpected end of
 * JSON input", "exceeded max depth"). Only used to word an error: validity itself is JSON.parse's.
 *
 * @module
 */

const MAX_DEPTH = 10000;

function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return `'"'`;
  // strconv.Quote of the rune, without its double quotes.
  const ch = String.fromCharCode(c);
  let q: string;
  if (c === 0x5c) q = '\\\\';
  else if (c === 0x07) q = '\\a';
  else if (c === 0x08) q = '\\b';
  else if (c === 0x0c) q = '\\f';
  else if (c === 0x0a) q = '\\n';
  else if (c === 0x0d) q = '\\r';
  else if (c === 0x09) q = '\\t';
  else if (c === 0x0b) q = '\\v';
  else if (c < 0x20 || c === 0x7f) q = `\\x${c.toString(16).padStart(2, '0')}`;
  else if (c >= 0x80 && c < 0xa0) q = `\\u${c.toString(16).padStart(4, '0')}`;
  else q = ch;
  return `'${q}'`;
}

type Ctx = 'objKey' | 'objValue' | 'array';

/**
 * Go's error message for invalid JSON, or undefined when the bytes are valid JSON for Go.
 *
 * @param b - the JSON bytes
 * @returns the message
 */
export function goJsonSyntaxError(b: Uint8Array): string | undefined {
  const stack: Ctx[] = [];
  const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
  const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
  const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
  const err = (c: number, ctx: string): string => `invalid character ${quoteChar(c)} ${ctx}`;
  type State = (c: number) => string | undefined;
  let state: State;
  let endTop = false;

  // Go words it "invalid character '[' exceeded max depth".
  const push = (ctx: Ctx, c: number): string | undefined => {
    stack.push(ctx);
    return stack.length > MAX_DEPTH ? err(c, 'exceeded max depth') : undefined;
  };
  const literal = (word: string, i: number, name: string): State => (c) => {
    if (c !== word.charCodeAt(i)) return err(c, `in literal ${name} (expecting ${quoteChar(word.charCodeAt(i))})`);
    state = i + 1 < word.length ? literal(word, i + 1, name) : endValue;
    return undefined;
  };
  const beginValue: State = (c) => {
    if (isSpace(c)) return undefined;
    switch (c) {
      case 0x7b:
        state = beginStringOrEmpty;
        return push('objKey', c);
      case 0x5b:
        state = beginValueOrEmpty;
        return push('array', c);
      case 0x22:
        state = inString;
        return undefined;
      case 0x2d:
        state = neg;
        return undefined;
      case 0x30:
        state = zero;
        return undefined;
      case 0x74:
        state = literal('true', 1, 'true');
        return undefined;
      case 0x66:
        state = literal('false', 1, 'false');
        return undefined;
      case 0x6e:
        state = literal('null', 1, 'null');
        return undefined;
    }
    if (c >= 0x31 && c <= 0x39) {
      state = one;
      return undefined;
    }
    return err(c, 'looking for beginning of value');
  };
  const beginValueOrEmpty: State = (c) => {
    if (isSpace(c)) return undefined;
    if (c === 0x5d) return endValue(c);
    return beginValue(c);
  };
  const beginStringOrEmpty: State = (c) => {
    if (isSpace(c)) return undefined;
    if (c === 0x7d) {
      stack[stack.length - 1] = 'objValue';
      return endValue(c);
    }
    return beginString(c);
  };
  const beginString: State = (c) => {
    if (isSpace(c)) return undefined;
    if (c === 0x22) {
      state = inString;
      return undefined;
    }
    return err(c, 'looking for beginning of object key string');
  };
  const endTopState: State = (c) => (isSpace(c) ? undefined : err(c, 'after top-level value'));
  // Closes the innermost object or array; the value after it ends the top level if it was the last.
  const close = (): undefined => {
    stack.pop();
    state = endValue;
    if (stack.length === 0) {
      endTop = true;
      state = endTopState;
    }
    return undefined;
  };
  const endValue: State = (c) => {
    const n = stack.length;
    if (n === 0) {
      endTop = true;
      state = endTopState;
      return endTopState(c);
    }
    if (isSpace(c)) {
      state = endValue;
      return undefined;
    }
    switch (stack[n - 1]) {
      case 'objKey':
        if (c === 0x3a) {
          stack[n - 1] = 'objValue';
          state = beginValue;
          return undefined;
        }
        return err(c, 'after object key');
      case 'objValue':
        if (c === 0x2c) {
          stack[n - 1] = 'objKey';
          state = beginString;
          return undefined;
        }
        if (c === 0x7d) return close();
        return err(c, 'after object key:value pair');
      default:
        if (c === 0x2c) {
          state = beginValue;
          return undefined;
        }
        if (c === 0x5d) return close();
        return err(c, 'after array element');
    }
  };
  const inString: State = (c) => {
    if (c === 0x22) {
      state = endValue;
      return undefined;
    }
    if (c === 0x5c) {
      state = inStringEsc;
      return undefined;
    }
    if (c < 0x20) return err(c, 'in string literal');
    return undefined;
  };
  const inStringEsc: State = (c) => {
    if ([0x62, 0x66, 0x6e, 0x72, 0x74, 0x5c, 0x2f, 0x22].includes(c)) {
      state = inString;
      return undefined;
    }
    if (c === 0x75) {
      state = escU(0);
      return undefined;
    }
    return err(c, 'in string escape code');
  };
  const escU = (i: number): State => (c) => {
    if (!isHex(c)) return err(c, 'in \\u hexadecimal character escape');
    state = i === 3 ? inString : escU(i + 1);
    return undefined;
  };
  const neg: State = (c) => {
    if (c === 0x30) {
      state = zero;
      return undefined;
    }
    if (c >= 0x31 && c <= 0x39) {
      state = one;
      return undefined;
    }
    return err(c, 'in numeric literal');
  };
  const one: State = (c) => (isDigit(c) ? undefined : zero(c));
  const zero: State = (c) => {
    if (c === 0x2e) {
      state = dot;
      return undefined;
    }
    if (c === 0x65 || c === 0x45) {
      state = expo;
      return undefined;
    }
    return endValue(c);
  };
  const dot: State = (c) => {
    if (isDigit(c)) {
      state = dot0;
      return undefined;
    }
    return err(c, 'after decimal point in numeric literal');
  };
  const dot0: State = (c) => {
    if (isDigit(c)) return undefined;
    if (c === 0x65 || c === 0x45) {
      state = expo;
      return undefined;
    }
    return endValue(c);
  };
  const expo: State = (c) => {
    if (c === 0x2b || c === 0x2d) {
      state = expoSign;
      return undefined;
    }
    return expoSign(c);
  };
  const expoSign: State = (c) => {
    if (isDigit(c)) {
      state = expo0;
      return undefined;
    }
    return err(c, 'in exponent of numeric literal');
  };
  const expo0: State = (c) => (isDigit(c) ? undefined : endValue(c));

  state = beginValue;
  for (const c of b) {
    const e = state(c);
    if (e) return e;
  }
  // End of input: a pending number completes with a space; anything else is unexpected.
  if (!endTop) {
    const e = state(0x20);
    if (e) return e;
  }
  return endTop ? undefined : 'unexpected end of JSON input';
}

/**
 * JSON text as Go's `json.MarshalIndent(v, "", indent)` writes it through an encoder that escapes
 * HTML (`<`, `>`, `&`) and U+2028/U+2029, with a final newline.
 *
 * @param v - the value
 * @param indent - the indent of one level (`"  "`, `"\t"`)
 * @returns the text
 */
export function goMarshalIndent(v: unknown, indent: string): string {
  return (
    JSON.stringify(v, null, indent)
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029') + '\n'
  );
}
