// node:url for the portable unit tests in the browser: a module's URL on the Vite server maps back
// to its path in the repository (__SIFKIT_ROOT__, defined by the browser project).
declare const __SIFKIT_ROOT__: string;
/** The repository path of a URL the Vite server serves. */
export function fileURLToPath(url: string | URL): string {
  const u = new URL(String(url));
  const p = decodeURIComponent(u.pathname);
  if (u.protocol === 'file:') return p;
  return p.startsWith('/@fs/') ? p.slice(4) : __SIFKIT_ROOT__ + p;
}
export default { fileURLToPath };
