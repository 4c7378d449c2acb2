// The golden `.files` format of testdata/squashfs (describe.py): portable, also read in the browser.

/** One described path. */
export interface Described {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  size?: number;
  sha256?: string;
  target?: string;
  rdev?: [number, number];
  xattrs?: Record<string, string>;
  hardlink?: string;
}

/** Reads a golden `.files` file. */
export function readGolden(text: string): Described[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Described);
}

