/**
 * What the portable core may use of its host without importing it: Node.js built-ins through
 * `process.getBuiltinModule` (Node ≥ 20.16; no `import` statement a bundler would follow), and base64
 * through `atob`/`btoa` (every browser and Node).
 *
 * @module
 */

/** Node's `crypto` module, as much of it as sifkit uses. */
export interface NodeCrypto {
  createHash(alg: string): { update(b: Uint8Array): unknown; digest(): Uint8Array };
  createPrivateKey(opts: { key: string; format: 'pem'; passphrase?: string }): NodeKeyObject;
  createPublicKey(key: NodeKeyObject | { key: string; format: 'pem' }): NodeKeyObject;
  sign(alg: string | null, data: Uint8Array, key: NodeKeyObject): Uint8Array;
}

/** A node:crypto `KeyObject`, opaque to the portable core. */
export interface NodeKeyObject {
  export(opts: { type: 'spki'; format: 'der' }): Uint8Array;
}

/**
 * A Node.js built-in module, or undefined outside Node (browsers, workers).
 *
 * @param name - e.g. `node:crypto`
 * @returns the module
 */
export function nodeBuiltin<T>(name: string): T | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
  try {
    return p?.getBuiltinModule?.(name) as T | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Standard base64 (with padding) of bytes.
 *
 * @param bytes - the bytes
 * @returns base64 text
 */
export function base64Encode(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/**
 * Decodes base64 text (standard alphabet; `url` for the URL-safe one).
 *
 * @param text - base64 text, already checked for its alphabet
 * @param url - URL-safe alphabet
 * @returns the bytes, or undefined when it does not decode
 */
export function base64Decode(text: string, url = false): Uint8Array | undefined {
  try {
    const bin = atob(url ? text.replace(/-/g, '+').replace(/_/g, '/') : text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}
