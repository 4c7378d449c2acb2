// A TEST DOUBLE of the Sylabs Container Library API (library://), not a product: an in-memory
// server on 127.0.0.1 for sifkit's tests, benchmarks and README examples. It implements the
// endpoints of shared/specs/library-api.md with strict request validation — paths, query strings,
// JSON field names and types (the reference Go client's full model structs, unknown fields refused),
// the capitalised tag bodies, multipart ordering — and records every violation in `violations`
// (tests assert there are none). The reference Go client (test/libclient) checks it, and it checks
// sifkit's client. Downloads: 303 to a ranged blob URL (current SingularityCE) or 200 (mode 'direct').
// Faults for the tests: see `faults` below. Plain JavaScript so `npm run serve:test-library` and the
// benchmark run it without a build.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const PART = '[a-z0-9]+(?:[._-][a-z0-9]+)*';
const NAME = new RegExp(`^${PART}$`);
const HASH = /^sha256\.[a-f0-9]{64}$/;
const ID = /^[a-f0-9]{24}$/;
const GO_ZERO = '0001-01-01T00:00:00Z';
const BASE = { deleted: 'boolean', createdBy: 'string', createdAt: 'string', updatedBy: 'string', updatedAt: 'string', deletedBy: 'string', deletedAt: 'string', owner: 'string' };
const MODELS = {
  entity: { ...BASE, id: 'string', name: 'string', description: 'string', collections: 'array?', size: 'number', quota: 'number', defaultPrivate: 'boolean', customData: 'string' },
  collection: { ...BASE, id: 'string', name: 'string', description: 'string', entity: 'string', containers: 'array?', size: 'number', private: 'boolean', customData: 'string', entityName: 'string' },
  container: {
    ...BASE, id: 'string', name: 'string', description: 'string', fullDescription: 'string', collection: 'string', images: 'array?', imageTags: 'object?', archTags: 'object?',
    size: 'number', downloadCount: 'number', stars: 'number', private: 'boolean', readOnly: 'boolean', customData: 'string', entity: 'string', entityName: 'string', collectionName: 'string',
  },
  image: {
    ...BASE, id: 'string', hash: 'string', description: 'string', container: 'string', blob: 'string', size: 'number', uploaded: 'boolean', signed: 'boolean?', arch: 'string?',
    fingerprints: 'array?', encrypted: 'boolean?', customData: 'string', entity: 'string', entityName: 'string', collection: 'string', collectionName: 'string', containerName: 'string',
    tags: 'array?', containerDescription: 'string', containerStars: 'number', containerDownloads: 'number',
  },
};

const newId = () => randomBytes(12).toString('hex');

/**
 * Starts the test library.
 *
 * @param {object} [opts]
 * @param {string} [opts.token] - the access token writes need (default 'test-token'); reads need none
 * @param {string} [opts.apiVersion] - what `version` reports (default 2.0.0-alpha.2: v2 upload, arch tags)
 * @param {'redirect'|'direct'} [opts.download] - 303 to a ranged blob URL, or the image in the 200 body
 * @param {boolean} [opts.multipart] - offer v2 multipart uploads (default true)
 * @param {number} [opts.partSize] - multipart part size the server asks for (default 64 MiB)
 * @param {string} [opts.blobOrigin] - where 303s point (another server's origin, for the token tests)
 */
export async function startLibraryServer(opts = {}) {
  // long enough for `remote login`, which refuses tokens under 200 characters as singularity does
  const token = opts.token ?? `test-token-${'x'.repeat(200)}`;
  const state = { entities: new Map(), collections: new Map(), containers: new Map(), images: new Map(), uploads: new Map(), violations: [], requests: [] };
  /** Faults: failStatus {path regex, status, times}; resetAfter (bytes, times); wrongHash; hang (regex); slowLoris (regex); lieLength. */
  const faults = { failStatus: [], resetAfter: undefined, hang: undefined, slowLoris: undefined, lieLength: false, corruptBlob: false };
  const cfg = { apiVersion: opts.apiVersion ?? '2.0.0-alpha.2', download: opts.download ?? 'redirect', multipart: opts.multipart ?? true, partSize: opts.partSize ?? 64 << 20 };
  let origin = '';
  const finishUpload = (img, data) => {
    const sum = `sha256.${createHash('sha256').update(data).digest('hex')}`;
    if (sum !== img.hash) return false;
    img.data = data;
    img.size = data.length;
    img.uploaded = true;
    img.arch = sifArch(data);
    img.signed = sifSigned(data);
    return true;
  };

  const violate = (req, what) => state.violations.push(`${req.method} ${req.url}: ${what}`);
  const send = (res, status, data, headers = {}) => {
    const body = data === undefined ? '' : JSON.stringify(data);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };
  const ok = (res, data, status = 200) => send(res, status, { data });
  const fail = (res, status, message) => send(res, status, { error: { code: status, message } });
  const authed = (req) => {
    const m = /^bearer (.+)$/i.exec(req.headers.authorization ?? '');
    return m !== null && m[1] === token;
  };
  const readBody = (req, limit = 1 << 20) =>
    new Promise((resolve, reject) => {
      const parts = [];
      let n = 0;
      req.on('data', (c) => {
        n += c.length;
        if (n > limit) {
          reject(new Error('body too large'));
          req.destroy();
        } else parts.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(parts)));
      req.on('error', reject);
    });
  /** Parses a JSON body and checks it against a model (field names and types; unknown fields refused). */
  const model = async (req, kind, required) => {
    const text = (await readBody(req)).toString('utf8');
    let o;
    try {
      o = JSON.parse(text);
    } catch {
      violate(req, `body is not JSON: ${text.slice(0, 80)}`);
      return undefined;
    }
    const spec = MODELS[kind] ?? kind;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      violate(req, 'body is not a JSON object');
      return undefined;
    }
    for (const [k, v] of Object.entries(o)) {
      const t = spec[k];
      if (!t) violate(req, `unknown field ${JSON.stringify(k)}`);
      else if (v === null ? !t.endsWith('?') : (t.replace('?', '') === 'array' ? !Array.isArray(v) : typeof v !== t.replace('?', '') || (t.startsWith('object') && Array.isArray(v)))) violate(req, `field ${k}: ${JSON.stringify(v)} is not ${t}`);
    }
    for (const k of required) if (!(k in o)) violate(req, `missing field ${k}`);
    return o;
  };
  const query = (req, url, allowed, required = []) => {
    for (const k of url.searchParams.keys()) if (!allowed.includes(k)) violate(req, `unexpected query parameter ${k}`);
    for (const k of required) if (!url.searchParams.has(k)) violate(req, `missing query parameter ${k}`);
  };
  const containerView = (ct) => ({ ...ct.record, images: [...ct.images], imageTags: Object.fromEntries(ct.tags.get('') ?? []), archTags: Object.fromEntries([...ct.tags].filter(([a]) => a !== '').map(([a, m]) => [a, Object.fromEntries(m)])) });
  const imageView = (img) => {
    const ct = state.containers.get(img.containerPath);
    const tags = [...(ct?.tags ?? [])].flatMap(([a, m]) => [...m].filter(([, id]) => id === img.id && (a === '' || a === img.arch)).map(([t]) => t));
    const [e, c, n] = img.containerPath.split('/');
    return {
      deleted: false, createdBy: 'test', createdAt: img.createdAt, id: img.id, hash: img.hash, description: img.description, container: ct.record.id, size: img.size, uploaded: img.uploaded,
      signed: img.signed, arch: img.arch, fingerprints: img.fingerprints, customData: '', entity: state.entities.get(e).id, entityName: e, collection: state.collections.get(`${e}/${c}`).id,
      collectionName: c, containerName: n, tags: [...new Set(tags)].sort(), containerDescription: ct.record.description, containerStars: 0, containerDownloads: 0,
    };
  };
  /** Finds an image by `e/c/ct:tag-or-hash` and arch. */
  const findImage = (ref, arch) => {
    const m = /^([^:]+):([^:]+)$/.exec(ref);
    if (!m) return undefined;
    const ct = state.containers.get(m[1]);
    if (!ct) return undefined;
    if (HASH.test(m[2])) return [...state.images.values()].find((i) => i.containerPath === m[1] && i.hash === m[2] && (!arch || i.arch === arch));
    const id = ct.tags.get(arch ?? '')?.get(m[2]) ?? ct.tags.get('')?.get(m[2]);
    return id ? state.images.get(id) : undefined;
  };
  const fault = (req) => {
    for (const f of faults.failStatus) if (f.times > 0 && f.path.test(req.url) && (!f.method || f.method === req.method)) return f.times--, f.status;
    return 0;
  };

  /** Serves a blob (whole or by Range), with the configured faults. */
  const serveBlob = (req, res, img) => {
    let data = img.data;
    if (faults.corruptBlob) {
      data = Buffer.from(data);
      data[data.length >> 1] ^= 1;
    }
    const range = req.headers.range;
    let start = 0;
    let end = data.length - 1;
    let status = 200;
    const headers = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' };
    if (range) {
      const m = /^bytes=(\d+)-(\d+)?$/.exec(range);
      if (!m) return violate(req, `bad Range ${range}`), fail(res, 416, 'bad range');
      start = Number(m[1]);
      end = Math.min(m[2] === undefined ? data.length - 1 : Number(m[2]), data.length - 1);
      if (start > end) return fail(res, 416, 'range not satisfiable');
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${data.length}`;
    }
    headers['content-length'] = faults.lieLength ? String(10 * 1e9) : String(end - start + 1);
    res.writeHead(status, headers);
    res.flushHeaders();
    if (faults.hang?.test(req.url)) return; // headers, then nothing
    let body = data.subarray(start, end + 1);
    const reset = faults.resetAfter;
    if (reset && reset.times > 0) {
      reset.times--;
      res.write(body.subarray(0, Math.min(reset.bytes, body.length)), () => res.destroy());
      return;
    }
    if (faults.slowLoris?.test(req.url)) {
      const timer = setInterval(() => {
        if (body.length === 0 || res.destroyed) return clearInterval(timer), res.end();
        res.write(body.subarray(0, 1));
        body = body.subarray(1);
      }, 1000);
      res.on('close', () => clearInterval(timer));
      return;
    }
    res.end(body);
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const path = url.pathname;
    state.requests.push({ method: req.method, path, auth: req.headers.authorization ?? '' });
    try {
      const injected = fault(req);
      if (injected) return fail(res, injected, 'injected fault');
      if (req.method === 'GET' && path === '/version') return ok(res, { version: 'v0.0.0-sifkit-test-double', apiVersion: cfg.apiVersion });
      // the endpoint's service discovery and token check (singularity remote login/status)
      if (req.method === 'GET' && path === '/assets/config/config.prod.json') {
        return send(res, 200, { libraryAPI: { uri: origin }, tokenAPI: { uri: `${origin}/auth` }, keystoreAPI: { uri: `${origin}/keys` }, ...(opts.builderUri ? { builderAPI: { uri: opts.builderUri() } } : {}) });
      }
      if (req.method === 'GET' && path === '/auth/v1/token-status') return authed(req) ? ok(res, { status: 'valid' }) : fail(res, 404, 'Invalid Credentials');
      if (req.method === 'GET' && (path === '/auth/version' || path === '/keys/version')) return ok(res, { version: 'v0.0.0-sifkit-test-double' });
      let m;
      // a sink for benchmarks' baselines (curl uploads here): the body is read and dropped
      if (path === '/s3/sink' && req.method === 'PUT') {
        let n = 0;
        for await (const c of req) n += c.length;
        return send(res, 200, { received: n });
      }
      // --- blobs and presigned uploads (the object store: no token) ---
      if ((m = /^\/s3\/blob\/([a-f0-9]{24})$/.exec(path)) && req.method === 'GET') {
        // SingularityCE sends its token to a redirect target on the library's own host (this one); the
        // foreign-host case is tested with a second server
        const img = state.images.get(m[1]);
        return img?.uploaded ? serveBlob(req, res, img) : fail(res, 404, 'no such blob');
      }
      if ((m = /^\/s3\/upload\/([a-f0-9]{24})$/.exec(path)) && req.method === 'PUT') {
        if (req.headers.authorization) violate(req, 'the token was sent to the object store');
        if (req.headers['content-type'] !== 'application/octet-stream') violate(req, `Content-Type ${req.headers['content-type']}`);
        const up = state.uploads.get(m[1]);
        if (!up) return fail(res, 404, 'no upload');
        const data = await readBody(req, 8 * 2 ** 30);
        const sum = createHash('sha256').update(data).digest('hex');
        if (req.headers['x-amz-content-sha256'] !== undefined && req.headers['x-amz-content-sha256'] !== sum) return fail(res, 400, 'x-amz-content-sha256 mismatch');
        if (data.length !== up.size) violate(req, `uploaded ${data.length} bytes, announced ${up.size}`);
        up.data = data;
        return send(res, 200);
      }
      if ((m = /^\/s3\/part\/([a-f0-9]{24})\/([a-f0-9]{24})\/(\d+)$/.exec(path)) && req.method === 'PUT') {
        if (req.headers.authorization) violate(req, 'the token was sent to the object store');
        const up = state.uploads.get(m[1]);
        if (!up || up.uploadID !== m[2]) return fail(res, 404, 'no upload');
        const data = await readBody(req, 8 * 2 ** 30);
        const n = Number(m[3]);
        const sum = createHash('sha256').update(data).digest('hex');
        if (up.partSums.get(n) !== sum) violate(req, `part ${n}: body does not match the sha256sum announced`);
        if (req.headers['x-amz-content-sha256'] !== undefined && req.headers['x-amz-content-sha256'] !== sum) return fail(res, 400, 'x-amz-content-sha256 mismatch');
        up.parts.set(n, data);
        const etag = `"${createHash('md5').update(data).digest('hex')}"`;
        up.etags.set(n, etag);
        res.writeHead(200, { etag, 'content-length': 0 });
        return res.end();
      }
      if (!path.startsWith('/v1/') && !path.startsWith('/v2/')) return fail(res, 404, 'no such endpoint');
      const write = req.method !== 'GET';
      if (write && !authed(req)) return fail(res, 401, 'Invalid Credentials');
      // --- entities, collections, containers ---
      if ((m = /^\/v1\/entities\/([^/]+)$/.exec(path)) && req.method === 'GET') {
        query(req, url, []);
        const e = state.entities.get(m[1]);
        return e ? ok(res, e) : fail(res, 404, 'entity not found');
      }
      if (path === '/v1/entities' && req.method === 'POST') {
        const o = await model(req, 'entity', ['name', 'description']);
        if (!o || !NAME.test(o.name)) return fail(res, 400, 'invalid entity');
        if (state.entities.has(o.name)) return fail(res, 409, 'entity exists');
        const e = { ...o, id: newId(), createdAt: new Date().toISOString(), collections: [] };
        state.entities.set(o.name, e);
        return ok(res, e);
      }
      if ((m = /^\/v1\/collections\/([^/]+)\/([^/]+)$/.exec(path)) && req.method === 'GET') {
        query(req, url, []);
        const c = state.collections.get(`${m[1]}/${m[2]}`);
        return c ? ok(res, c) : fail(res, 404, 'collection not found');
      }
      if (path === '/v1/collections' && req.method === 'POST') {
        const o = await model(req, 'collection', ['name', 'description', 'entity']);
        const e = o && [...state.entities.values()].find((x) => x.id === o.entity);
        if (!o || !NAME.test(o.name) || !e) return fail(res, 400, 'invalid collection');
        const c = { ...o, id: newId(), entityName: e.name, containers: [] };
        state.collections.set(`${e.name}/${o.name}`, c);
        return ok(res, c);
      }
      if ((m = /^\/v1\/containers\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path)) && req.method === 'GET') {
        query(req, url, []);
        const ct = state.containers.get(`${m[1]}/${m[2]}/${m[3]}`);
        return ct ? ok(res, containerView(ct)) : fail(res, 404, 'container not found');
      }
      if (path === '/v1/containers' && req.method === 'POST') {
        const o = await model(req, 'container', ['name', 'description', 'collection']);
        const cKey = o && [...state.collections.entries()].find(([, x]) => x.id === o.collection)?.[0];
        if (!o || !NAME.test(o.name) || !cKey) return fail(res, 400, 'invalid container');
        const record = { ...o, id: newId() };
        state.containers.set(`${cKey}/${o.name}`, { record, images: new Set(), tags: new Map() });
        return ok(res, containerView(state.containers.get(`${cKey}/${o.name}`)));
      }
      // --- images ---
      if ((m = /^\/v1\/images\/(.+)$/.exec(path)) && (req.method === 'GET' || req.method === 'DELETE')) {
        query(req, url, ['arch'], ['arch']);
        const img = findImage(m[1], url.searchParams.get('arch') || undefined);
        if (!img) return fail(res, 404, 'image not found');
        if (req.method === 'GET') return ok(res, imageView(img));
        const view = imageView(img);
        const ct = state.containers.get(img.containerPath);
        for (const tags of ct.tags.values()) for (const [t, id] of tags) if (id === img.id) tags.delete(t);
        ct.images.delete(img.id);
        state.images.delete(img.id);
        return ok(res, view);
      }
      if (path === '/v1/images' && req.method === 'POST') {
        const o = await model(req, 'image', ['hash', 'description', 'container']);
        const ctPath = o && [...state.containers.entries()].find(([, x]) => x.record.id === o.container)?.[0];
        if (!o || !HASH.test(o.hash) || !ctPath) return fail(res, 400, 'invalid image');
        const img = { id: newId(), hash: o.hash, description: o.description, containerPath: ctPath, size: 0, uploaded: false, arch: undefined, signed: false, fingerprints: [], createdAt: new Date().toISOString() };
        state.images.set(img.id, img);
        state.containers.get(ctPath).images.add(img.id);
        return ok(res, imageView(img));
      }
      // --- uploads ---
      const finish = finishUpload;
      if ((m = /^\/v1\/imagefile\/([a-f0-9]{24})$/.exec(path)) && req.method === 'POST') {
        const img = state.images.get(m[1]);
        if (!img) return fail(res, 404, 'image not found');
        const data = await readBody(req, 8 * 2 ** 30);
        return finish(img, data) ? send(res, 200) : fail(res, 400, 'hash mismatch');
      }
      if ((m = /^\/v2\/imagefile\/([a-f0-9]{24})$/.exec(path)) && req.method === 'POST') {
        if (cfg.apiVersion < '2.0.0-alpha.1') return fail(res, 404, 'no v2');
        const o = await model(req, { filesize: 'number', md5sum: 'string', sha256sum: 'string' }, ['filesize', 'md5sum', 'sha256sum']);
        const img = state.images.get(m[1]);
        if (!o || !img) return fail(res, 404, 'image not found');
        state.uploads.set(img.id, { size: o.filesize, sha256: o.sha256sum, single: true });
        return ok(res, { uploadURL: `${origin}/s3/upload/${img.id}?X-Amz-SignedHeaders=host;x-amz-content-sha256` });
      }
      if ((m = /^\/v2\/imagefile\/([a-f0-9]{24})\/_complete$/.exec(path)) && req.method === 'PUT') {
        const o = await model(req, {}, []);
        const img = state.images.get(m[1]);
        const up = state.uploads.get(m[1]);
        if (!o || !img || !up?.data) return fail(res, 400, 'nothing uploaded');
        state.uploads.delete(m[1]);
        if (!finish(img, up.data)) return fail(res, 400, 'hash mismatch');
        return ok(res, { quota: { quotaTotal: 0, quotaUsage: img.size }, containerUrl: `/library/${img.containerPath}` });
      }
      if ((m = /^\/v2\/imagefile\/([a-f0-9]{24})\/_multipart$/.exec(path)) && (req.method === 'POST' || req.method === 'PUT')) {
        if (!cfg.multipart) return fail(res, 404, 'multipart not supported');
        const img = state.images.get(m[1]);
        if (!img) return fail(res, 404, 'image not found');
        if (req.method === 'POST') {
          const o = await model(req, { filesize: 'number' }, ['filesize']);
          if (!o) return fail(res, 400, 'bad request');
          const uploadID = newId();
          const totalParts = Math.max(1, Math.ceil(o.filesize / cfg.partSize));
          state.uploads.set(img.id, { size: o.filesize, uploadID, parts: new Map(), partSums: new Map(), etags: new Map(), totalParts });
          return ok(res, { uploadID, totalParts, partSize: cfg.partSize, options: { s3compliant: 'true' } });
        }
        const o = await model(req, { partSize: 'number', uploadID: 'string', partNumber: 'number', sha256sum: 'string' }, ['partSize', 'uploadID', 'partNumber', 'sha256sum']);
        const up = state.uploads.get(img.id);
        if (!o || !up || up.uploadID !== o.uploadID) return fail(res, 400, 'no such upload');
        if (!Number.isInteger(o.partNumber) || o.partNumber < 1 || o.partNumber > up.totalParts) violate(req, `partNumber ${o.partNumber} outside 1..${up.totalParts}`);
        up.partSums.set(o.partNumber, o.sha256sum);
        return ok(res, { presignedURL: `${origin}/s3/part/${img.id}/${up.uploadID}/${o.partNumber}` });
      }
      if ((m = /^\/v2\/imagefile\/([a-f0-9]{24})\/_multipart_complete$/.exec(path)) && req.method === 'PUT') {
        const o = await model(req, { uploadID: 'string', completedParts: 'array' }, ['uploadID', 'completedParts']);
        const img = state.images.get(m[1]);
        const up = state.uploads.get(m[1]);
        if (!o || !img || !up || up.uploadID !== o.uploadID) return fail(res, 400, 'no such upload');
        const numbers = o.completedParts.map((p) => p.partNumber);
        if (numbers.join() !== Array.from({ length: up.totalParts }, (_, i) => i + 1).join()) violate(req, `completedParts ${numbers.join()} are not 1..${up.totalParts} in order`);
        for (const p of o.completedParts) if (up.etags.get(p.partNumber) !== p.token) violate(req, `part ${p.partNumber}: token ${p.token} is not the part's ETag`);
        const data = Buffer.concat(numbers.map((n) => up.parts.get(n) ?? Buffer.alloc(0)));
        state.uploads.delete(m[1]);
        if (data.length !== up.size) violate(req, `parts hold ${data.length} bytes, announced ${up.size}`);
        if (!finish(img, data)) return fail(res, 400, 'hash mismatch');
        return ok(res, { quota: { quotaTotal: 0, quotaUsage: img.size }, containerUrl: `/library/${img.containerPath}` });
      }
      if ((m = /^\/v2\/imagefile\/([a-f0-9]{24})\/_multipart_abort$/.exec(path)) && req.method === 'PUT') {
        const o = await model(req, { uploadID: 'string' }, ['uploadID']);
        const up = state.uploads.get(m[1]);
        if (!o || !up || up.uploadID !== o.uploadID) return fail(res, 400, 'no such upload');
        state.uploads.delete(m[1]);
        state.aborted = (state.aborted ?? 0) + 1;
        return ok(res, {});
      }
      // --- tags ---
      if ((m = /^\/(v1|v2)\/tags\/([a-f0-9]{24})$/.exec(path))) {
        const ct = [...state.containers.values()].find((x) => x.record.id === m[2]);
        if (!ct) return fail(res, 404, 'container not found');
        if (m[1] === 'v2' && cfg.apiVersion < '2.0.0-alpha.2') return fail(res, 404, 'no v2 tags');
        if (req.method === 'GET') return ok(res, m[1] === 'v1' ? containerView(ct).imageTags : containerView(ct).archTags);
        const o = await model(req, m[1] === 'v1' ? { Tag: 'string', ImageID: 'string' } : { Arch: 'string', Tag: 'string', ImageID: 'string' }, m[1] === 'v1' ? ['Tag', 'ImageID'] : ['Arch', 'Tag', 'ImageID']);
        if (!o || !NAME.test(o.Tag) || !ct.images.has(o.ImageID)) return fail(res, 400, 'invalid tag');
        const arch = m[1] === 'v1' ? '' : o.Arch;
        if (!ct.tags.has(arch)) ct.tags.set(arch, new Map());
        ct.tags.get(arch).set(o.Tag, o.ImageID);
        return ok(res, {});
      }
      // --- download ---
      if ((m = /^\/v1\/imagefile\/(.+)$/.exec(path)) && req.method === 'GET') {
        query(req, url, ['arch'], []);
        const img = findImage(m[1], url.searchParams.get('arch') || undefined);
        if (!img?.uploaded) return fail(res, 404, 'image not found');
        if (cfg.download === 'direct') return serveBlob(req, res, img);
        res.writeHead(303, { location: `${opts.blobOrigin ?? origin}/s3/blob/${img.id}`, 'content-length': 0 });
        return res.end();
      }
      // --- search ---
      if (path === '/v1/search' && req.method === 'GET') {
        query(req, url, ['value', 'arch', 'signed'], ['value']);
        const value = url.searchParams.get('value') ?? '';
        if (value.length < 3) violate(req, 'search value shorter than 3 characters');
        const arch = url.searchParams.get('arch');
        const signed = url.searchParams.get('signed') === 'true';
        const image = [...state.images.values()]
          .filter((i) => i.uploaded && (i.containerPath.includes(value) || i.description.includes(value)) && (!arch || i.arch === arch) && (!signed || i.signed))
          .map(imageView);
        return ok(res, { entity: [], collection: [], container: [], image });
      }
      violate(req, 'no such endpoint');
      return fail(res, 404, 'no such endpoint');
    } catch (e) {
      violate(req, `server error: ${e?.message ?? e}`);
      if (!res.headersSent) fail(res, 500, 'test server error');
    }
  });
  await new Promise((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  /** Puts an image straight into the library (what a build service does): `e/c/ct`, tags, its bytes. */
  const addImage = (path, tags, data) => {
    const [e, c, n] = path.split('/');
    if (!state.entities.has(e)) state.entities.set(e, { id: newId(), name: e, description: 'No description', collections: [] });
    if (!state.collections.has(`${e}/${c}`)) state.collections.set(`${e}/${c}`, { id: newId(), name: c, description: 'No description', entity: state.entities.get(e).id, entityName: e });
    if (!state.containers.has(path)) state.containers.set(path, { record: { id: newId(), name: n, description: 'No description' }, images: new Set(), tags: new Map() });
    const ct = state.containers.get(path);
    const img = { id: newId(), hash: `sha256.${createHash('sha256').update(data).digest('hex')}`, description: 'built', containerPath: path, size: 0, uploaded: false, createdAt: new Date().toISOString() };
    state.images.set(img.id, img);
    ct.images.add(img.id);
    finishUpload(img, Buffer.from(data));
    const arch = img.arch ?? '';
    if (!ct.tags.has(arch)) ct.tags.set(arch, new Map());
    for (const t of tags) ct.tags.get(arch).set(t, img.id);
    return img;
  };
  return {
    url: origin,
    token,
    state,
    faults,
    config: cfg,
    addImage,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

/** The primary partition's architecture of a SIF (singularity's `machine.SifArch`), or undefined. */
export function sifArch(data) {
  const ARCH = { '01': '386', '02': 'amd64', '03': 'arm', '04': 'arm64', '05': 'ppc64', '06': 'ppc64le', '07': 'mips', '08': 'mipsle', '09': 'mips64', '10': 'mips64le', '11': 's390x', '12': 'riscv64' };
  if (data.length < 128 || data.subarray(32, 42).toString() !== 'SIF_MAGIC\0') return undefined;
  const total = Number(data.readBigInt64LE(88));
  const off = Number(data.readBigInt64LE(96));
  for (let i = 0; i < total && off + (i + 1) * 585 <= data.length; i++) {
    const d = data.subarray(off + i * 585, off + (i + 1) * 585);
    if (d.readUInt32LE(0) !== 0x4004 || d[4] !== 1) continue; // Partition, used
    const extra = d.subarray(585 - 384);
    if (extra.readInt32LE(4) === 2) return ARCH[extra.subarray(8, 11).toString().replace(/\0/g, '')];
  }
  return undefined;
}

/** Whether a SIF holds a signature object. */
function sifSigned(data) {
  if (data.length < 128) return false;
  const total = Number(data.readBigInt64LE(88));
  const off = Number(data.readBigInt64LE(96));
  for (let i = 0; i < total && off + (i + 1) * 585 <= data.length; i++) {
    const d = data.subarray(off + i * 585, off + (i + 1) * 585);
    if (d.readUInt32LE(0) === 0x4005 && d[4] === 1) return true;
  }
  return false;
}
