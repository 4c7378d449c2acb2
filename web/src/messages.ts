// The page ↔ verify worker protocol.

/** A key given by the user: its name and bytes. */
export interface KeyInput {
  name: string;
  bytes: Uint8Array;
}

/** Page → worker. */
export type ToWorker = { type: 'verify'; file: File; keys: KeyInput[]; port: MessagePort } | { type: 'cancel' };

/** Worker → page. */
export type FromWorker =
  | { type: 'ready'; backend: string }
  | { type: 'progress'; done: number; total: number }
  | { type: 'keys'; pgp: number; pem: number; problems: string[] }
  | { type: 'result'; verified: boolean; transcript: string; report: string; cancelled: boolean }
  | { type: 'error'; message: string };

/** Verify worker → reader worker. */
export type ReadRequest = { type: 'file'; file: Blob } | { type: 'read'; id: number; offset: number; length: number };

/** Reader worker → verify worker. */
export type ReadReply = { id: number; buf: ArrayBuffer } | { id: number; error: string };
