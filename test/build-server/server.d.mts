/** A running test double of the remote build service. */
export interface TestBuilder {
  url: string;
  token: string;
  state: {
    builds: Map<string, { id: string; def: string; req: Record<string, unknown>; complete: boolean; libraryRef: string }>;
    contexts: Map<string, { size: number; data?: Uint8Array }>;
    deletedContexts: string[];
    violations: string[];
    cancelled: string[];
  };
  contextNames(digest: string): { name: string; type: string; size: number; data: Uint8Array }[];
  close(): Promise<void>;
}
/** Starts the test build service on 127.0.0.1. */
export declare function startBuildServer(opts: {
  library: { url: string; addImage(path: string, tags: string[], data: Uint8Array): { hash: string } };
  image: Uint8Array;
  token?: string;
  log?: string[];
  hold?: boolean;
}): Promise<TestBuilder>;
