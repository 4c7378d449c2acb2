// Types of the part of `lzma1` sifkit uses. The package's own types are its TypeScript sources,
// which this project's stricter settings would check (tsconfig "paths" points here instead).
/** Decodes an lzma-alone stream. */
export declare function decompress(data: Uint8Array | ArrayBuffer): Uint8Array;
