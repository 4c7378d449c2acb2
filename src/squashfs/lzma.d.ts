// The `lzma` package (LZMA-JS) ships no types; sifkit uses only its one-shot decoder.
declare module 'lzma' {
  /** Decodes an lzma-alone stream: text when the bytes are valid UTF-8, else the bytes. */
  export function decompress(data: Uint8Array): string | number[];
}
