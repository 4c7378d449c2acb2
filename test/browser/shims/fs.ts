// node:fs for the portable unit tests in the browser (npm run test:browser): the tests read
// committed fixtures with readFileSync; here they come from the Vite server's /@fs/ route through a
// synchronous request (a window may not set responseType on one, so bytes travel as x-user-defined
// text, one byte per character).
function request(method: string, path: string): XMLHttpRequest {
  const x = new XMLHttpRequest();
  x.open(method, `/@fs${path}`, false);
  x.overrideMimeType('text/plain; charset=x-user-defined');
  x.send();
  return x;
}

/** Reads a file of the repository; throws ENOENT like Node when it is missing. */
export function readFileSync(path: string, encoding?: string | { encoding?: string }): Uint8Array | string {
  const x = request('GET', String(path));
  if (x.status !== 200) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
  const text = x.responseText;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  const enc = typeof encoding === 'string' ? encoding : encoding?.encoding;
  return enc ? new TextDecoder().decode(bytes) : bytes;
}

/** True when the Vite server has the file. */
export function existsSync(path: string): boolean {
  return request('HEAD', String(path)).status === 200;
}



/** Names in a folder of the repository (the browser project's /__sifkit/readdir route). */
export function readdirSync(path: string): string[] {
  const x = new XMLHttpRequest();
  x.open('GET', `/__sifkit/readdir?path=${encodeURIComponent(String(path))}`, false);
  x.send();
  if (x.status !== 200) throw Object.assign(new Error(`ENOENT: no such file or directory, scandir '${path}'`), { code: 'ENOENT' });
  return JSON.parse(x.responseText) as string[];
}
export default { readFileSync, existsSync, readdirSync };
