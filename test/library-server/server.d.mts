/** A running test double of the Container Library API. */
export interface TestLibrary {
  url: string;
  token: string;
  state: {
    violations: string[];
    requests: { method: string; path: string; auth: string }[];
    images: Map<string, { id: string; hash: string; uploaded: boolean; size: number; arch?: string }>;
    aborted?: number;
  };
  faults: {
    failStatus: { path: RegExp; status: number; times: number; method?: string }[];
    resetAfter?: { bytes: number; times: number };
    hang?: RegExp;
    slowLoris?: RegExp;
    lieLength: boolean;
    corruptBlob: boolean;
  };
  config: { apiVersion: string; download: 'redirect' | 'direct'; multipart: boolean; partSize: number };
  /** Puts an image straight into the library. */
  addImage(path: string, tags: string[], data: Uint8Array): { id: string; hash: string };
  close(): Promise<void>;
}
/** Starts the test library on 127.0.0.1. */
export declare function startLibraryServer(opts?: {
  token?: string;
  apiVersion?: string;
  download?: 'redirect' | 'direct';
  multipart?: boolean;
  partSize?: number;
  blobOrigin?: string;
  port?: number;
  builderUri?: () => string;
}): Promise<TestLibrary>;
/** The primary partition's architecture of a SIF. */
export declare function sifArch(data: Uint8Array): string | undefined;
