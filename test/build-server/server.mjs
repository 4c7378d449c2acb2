// A TEST DOUBLE of the remote build service (scs-build-client's API), not a product: on 127.0.0.1,
// strict about requests (body fields and types, the BEARER token, the build-context digest), it
// "builds" by streaming log lines over the v1/build-ws WebSocket and putting a given SIF into a
// test library (test/library-server), then closing with 1000. `hold` keeps a build running until it
// is cancelled (PUT _cancel).
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { WebSocketServer } from 'ws';

/**
 * @param {object} opts
 * @param {{ url: string, addImage(path: string, tags: string[], data: Uint8Array): { hash: string } }} opts.library - the test library
 * @param {Uint8Array} opts.image - the SIF every build produces
 * @param {string} [opts.token]
 * @param {string[]} [opts.log] - log frames to send
 * @param {boolean} [opts.hold] - run until cancelled
 */
export async function startBuildServer(opts) {
  const token = opts.token ?? 'build-token';
  const state = { builds: new Map(), contexts: new Map(), deletedContexts: [], violations: [], cancelled: [] };
  const log = opts.log ?? ['INFO:    Starting build...\n', 'INFO:    Creating SIF file...\n', 'INFO:    Build complete: /tmp/image.sif\n'];
  const violate = (req, what) => state.violations.push(`${req.method} ${req.url}: ${what}`);
  const authed = (req) => req.headers.authorization === `BEARER ${token}`;
  const send = (res, status, data, headers = {}) => {
    const body = data === undefined ? '' : JSON.stringify(data);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };
  const body = (req) => new Promise((resolve) => {
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
  });
  const info = (b) => ({ id: b.id, isComplete: b.complete, ...(b.complete ? { imageSize: b.size, imageChecksum: b.hash } : {}), libraryRef: b.libraryRef, libraryURL: opts.library.url });
  let origin = '';
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://127.0.0.1').pathname;
    let m;
    if (path === '/version' && req.method === 'GET') return send(res, 200, { data: { version: 'v0.0.0-sifkit-test-double' } });
    if (path.startsWith('/v1/') && !path.startsWith('/v1/build-context-upload/') && !authed(req)) {
      if (!req.headers.authorization?.startsWith('BEARER ')) violate(req, `Authorization ${JSON.stringify(req.headers.authorization ?? '')} is not BEARER <token>`);
      return send(res, 401, { error: { code: 401, message: 'Unauthorized' } });
    }
    if (path === '/v1/build' && req.method === 'POST') {
      let o;
      try {
        o = JSON.parse((await body(req)).toString());
      } catch {
        violate(req, 'body is not JSON');
        return send(res, 400, {});
      }
      const types = { definitionRaw: 'string', libraryRef: 'string', libraryURL: 'string', builderRequirements: 'object', contextDigest: 'string', workingDir: 'string' };
      for (const [k, v] of Object.entries(o)) if (types[k] !== typeof v) violate(req, `field ${k}: ${JSON.stringify(v)}`);
      for (const k of ['definitionRaw', 'libraryRef']) if (!(k in o)) violate(req, `missing field ${k}`);
      if (o.builderRequirements && Object.keys(o.builderRequirements).join() !== 'arch') violate(req, 'builderRequirements is not {arch}');
      if (o.contextDigest && !state.contexts.has(o.contextDigest)) violate(req, 'contextDigest was never uploaded');
      const id = randomBytes(12).toString('hex');
      const b = { id, def: Buffer.from(o.definitionRaw, 'base64').toString(), req: o, complete: false, libraryRef: o.libraryRef || `library://build/builds/${id}:latest` };
      state.builds.set(id, b);
      return send(res, 201, { data: info(b) });
    }
    if ((m = /^\/v1\/build\/([a-f0-9]{24})$/.exec(path)) && req.method === 'GET') {
      const b = state.builds.get(m[1]);
      return b ? send(res, 200, { data: info(b) }) : send(res, 404, {});
    }
    if ((m = /^\/v1\/build\/([a-f0-9]{24})\/_cancel$/.exec(path)) && req.method === 'PUT') {
      const b = state.builds.get(m[1]);
      if (!b) return send(res, 404, {});
      state.cancelled.push(b.id);
      b.ws?.close(1000);
      res.writeHead(204);
      return res.end();
    }
    if (path === '/v1/build-context' && req.method === 'POST') {
      const o = JSON.parse((await body(req)).toString());
      if (typeof o.size !== 'number' || !/^sha256\.[a-f0-9]{64}$/.test(o.digest ?? '') || Object.keys(o).sort().join() !== 'digest,size') violate(req, `bad body ${JSON.stringify(o)}`);
      if (state.contexts.has(o.digest)) return send(res, 201, {});
      state.contexts.set(o.digest, { size: o.size, data: undefined });
      return send(res, 201, {}, { location: `${origin}/v1/build-context-upload/${o.digest}` });
    }
    if ((m = /^\/v1\/build-context-upload\/(sha256\.[a-f0-9]{64})$/.exec(path)) && req.method === 'PUT') {
      if (req.headers.authorization) violate(req, 'the token was sent with the context upload');
      const c = state.contexts.get(m[1]);
      const data = await body(req);
      if (!c || data.length !== c.size || `sha256.${createHash('sha256').update(data).digest('hex')}` !== m[1]) violate(req, 'upload does not match its digest and size');
      if (c) c.data = data;
      res.writeHead(201);
      return res.end();
    }
    if ((m = /^\/v1\/build-context\/(sha256\.[a-f0-9]{64})$/.exec(path)) && req.method === 'DELETE') {
      state.deletedContexts.push(m[1]);
      return send(res, 200, {});
    }
    violate(req, 'no such endpoint');
    send(res, 404, {});
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const m = /^\/v1\/build-ws\/([a-f0-9]{24})$/.exec(new URL(req.url, 'http://127.0.0.1').pathname);
    const b = m && state.builds.get(m[1]);
    if (!b || !authed(req)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      b.ws = ws;
      for (const line of log) ws.send(line);
      if (opts.hold) return;
      const ref = b.libraryRef.replace(/^library:\/\//, '');
      const [path, tag = 'latest'] = ref.split(':');
      const img = opts.library.addImage(path, [tag], opts.image);
      b.complete = true;
      b.size = opts.image.length;
      b.hash = img.hash;
      ws.close(1000);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${server.address().port}`;
  return {
    url: origin,
    token,
    state,
    /** The gzip'd tar of a context, as entry names. */
    contextNames: (digest) => tarNames(gunzipSync(state.contexts.get(digest).data)),
    close: () => new Promise((r) => { wss.close(); server.closeAllConnections(); server.close(() => r()); }),
  };
}

function tarNames(tar) {
  const names = [];
  for (let off = 0; off + 512 <= tar.length; ) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const name = h.subarray(0, 100).toString().replace(/\0.*$/s, '');
    const prefix = h.subarray(345, 500).toString().replace(/\0.*$/s, '');
    const size = parseInt(h.subarray(124, 136).toString().replace(/\0.*$/s, '').trim() || '0', 8);
    names.push({ name: prefix ? `${prefix}/${name}` : name, type: String.fromCharCode(h[156]), size, data: tar.subarray(off + 512, off + 512 + size) });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}
