// node:path (POSIX) for the portable unit tests in the browser: as much as the tests use.
function normalize(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return (abs ? '/' : '') + out.join('/');
}
/** Joins segments. */
export const join = (...parts: string[]): string => normalize(parts.join('/'));
/** Resolves against the last absolute segment. */
export function resolve(...parts: string[]): string {
  let i = parts.length - 1;
  while (i > 0 && !parts[i]!.startsWith('/')) i--;
  return normalize(parts.slice(i).join('/'));
}
/** The parent folder. */
export const dirname = (p: string): string => normalize(p.replace(/\/[^/]*\/?$/, '') || '/');
/** The last segment. */
export const basename = (p: string): string => p.replace(/\/+$/, '').split('/').pop() ?? '';
export default { join, resolve, dirname, basename };
