// Test servers that behave like the two IDC mirrors, as published observations describe them, on
// 127.0.0.1, serving a folder whose subfolders are buckets:
//  - 's3' (AWS S3, HTTP/1.1): a CORS preflight is answered without Access-Control-Allow-Headers, so
//    any request that needs one fails in a browser; a multi-range request gets the whole object
//    (200); ListObjectsV2 (XML, continuation tokens) at /<bucket>/?list-type=2.
//  - 'gcs' (Google Cloud Storage): a multi-range request is 400; HTTP/2 over TLS with a test
//    certificate when `tls` (allowHTTP1 for Node's fetch); the JSON listing API at
//    /storage/v1/b/<bucket>/o.
// Both: single ranges and suffix ranges served (206), ETag and Last-Modified sent, nothing exposed
// to scripts beyond the CORS-safelisted response headers (Content-Range is not: sizes must come
// from Content-Length). Every request is logged (method, path, Range, HTTP version, request header
// names); `fail` makes the next requests fail: 'network' (socket closed), 503, or 'cors' (no
// Access-Control-Allow-Origin); `delay` answers later.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import os from 'node:os';
import path from 'node:path';

/** A self-signed certificate for 127.0.0.1 and the base64 SHA-256 of its public key (Chromium's --ignore-certificate-errors-spki-list). */
export function testCertificate() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazydcm-cert-'));
  const key = path.join(dir, 'key.pem'), cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const spkiDer = execFileSync('openssl', ['pkey', '-in', key, '-pubout', '-outform', 'der']);
  const out = { key: fs.readFileSync(key), cert: fs.readFileSync(cert), spki: createHash('sha256').update(spkiDer).digest('base64') };
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

export async function startBucketServer({ root, kind, tls }) {
  const log = [];
  const state = { fail: null, delayMs: 0 };
  const handler = (req, res) => {
    if (state.delayMs) {
      setTimeout(() => respond(req, res), state.delayMs);
      return;
    }
    respond(req, res);
  };
  const respond = (req, res) => {
    const url = new URL(req.url, 'http://x');
    log.push({ method: req.method, path: url.pathname, query: url.search, range: req.headers.range ?? null, version: req.httpVersion,
      headers: Object.keys(req.headers).filter((h) => !h.startsWith(':')) });
    if (state.fail === 'network') {
      req.socket.destroy();
      return;
    }
    const cors = state.fail === 'cors' ? {} : { 'Access-Control-Allow-Origin': '*' };
    if (state.fail === 503) {
      res.writeHead(503, { ...cors, 'Content-Type': 'text/plain' });
      res.end('Service Unavailable');
      return;
    }
    if (req.method === 'OPTIONS') {
      // The preflight answer of the S3 bucket: no Access-Control-Allow-Headers.
      res.writeHead(200, { ...cors, 'Access-Control-Allow-Methods': 'GET, HEAD' });
      res.end();
      return;
    }
    if (kind === 's3' && url.searchParams.get('list-type') === '2') return listS3(url, res, cors);
    const g = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (kind === 'gcs' && g) return listGcs(g[1], url, res, cors);
    serveObject(req, res, decodeURIComponent(url.pathname), cors);
  };

  const safe = (p) => {
    const f = path.join(root, p);
    return f.startsWith(root + path.sep) && fs.existsSync(f) && fs.statSync(f).isFile() ? f : null;
  };
  function serveObject(req, res, p, cors) {
    const f = safe(p);
    if (!f) {
      res.writeHead(404, { ...cors, 'Content-Type': 'application/xml' });
      res.end('<Error><Code>NoSuchKey</Code></Error>');
      return;
    }
    const st = fs.statSync(f);
    const size = st.size;
    const common = { ...cors, 'Accept-Ranges': 'bytes', ETag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`,
      'Last-Modified': st.mtime.toUTCString(), 'Content-Type': 'application/dicom' };
    const range = req.headers.range;
    const whole = () => {
      res.writeHead(200, { ...common, 'Content-Length': size });
      if (req.method === 'HEAD') res.end(); else fs.createReadStream(f).pipe(res);
    };
    if (!range) return whole();
    if (range.includes(',')) {
      if (kind === 's3') return whole();  // S3: a multi-range request gets the whole object
      res.writeHead(400, { ...cors, 'Content-Type': 'application/xml' });  // GCS: 400
      res.end('<Error><Code>InvalidArgument</Code><Message>Multiple ranges are not supported</Message></Error>');
      return;
    }
    const m = /^bytes=(\d*)-(\d*)$/.exec(range);
    if (!m || (!m[1] && !m[2])) return whole();
    let start, end;
    if (!m[1]) [start, end] = [Math.max(0, size - Number(m[2])), size - 1];
    else [start, end] = [Number(m[1]), m[2] ? Math.min(Number(m[2]), size - 1) : size - 1];
    if (start >= size || start > end) {
      res.writeHead(416, { ...common, 'Content-Range': `bytes */${size}` });
      res.end();
      return;
    }
    res.writeHead(206, { ...common, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 });
    if (req.method === 'HEAD') res.end(); else fs.createReadStream(f, { start, end }).pipe(res);
  }

  const names = (bucket, prefix) => {
    const dir = path.join(root, bucket);
    if (!fs.existsSync(dir)) return null;
    const out = [];
    const walk = (d, rel) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(path.join(d, e.name), r); else if (r.startsWith(prefix)) out.push(r);
      }
    };
    walk(dir, '');
    return out.sort();
  };
  function listS3(url, res, cors) {
    const bucket = url.pathname.replace(/^\/|\/$/g, '');
    const all = names(bucket, url.searchParams.get('prefix') ?? '');
    if (!all) {
      res.writeHead(404, { ...cors, 'Content-Type': 'application/xml' });
      res.end('<Error><Code>NoSuchBucket</Code></Error>');
      return;
    }
    const max = Number(url.searchParams.get('max-keys') ?? 1000), start = Number(url.searchParams.get('continuation-token') ?? 0);
    const page = all.slice(start, start + max), more = start + max < all.length;
    res.writeHead(200, { ...cors, 'Content-Type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${bucket}</Name><KeyCount>${page.length}</KeyCount>`
      + page.map((k) => `<Contents><Key>${k}</Key><Size>${fs.statSync(path.join(root, bucket, k)).size}</Size></Contents>`).join('')
      + `<IsTruncated>${more}</IsTruncated>${more ? `<NextContinuationToken>${start + max}</NextContinuationToken>` : ''}</ListBucketResult>`);
  }
  function listGcs(bucket, url, res, cors) {
    const all = names(bucket, url.searchParams.get('prefix') ?? '');
    if (!all) {
      res.writeHead(404, { ...cors, 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 404, message: 'The specified bucket does not exist.' } }));
      return;
    }
    const max = Number(url.searchParams.get('maxResults') ?? 1000), start = Number(url.searchParams.get('pageToken') ?? 0);
    const body = { kind: 'storage#objects', items: all.slice(start, start + max).map((name) => ({ kind: 'storage#object', name, bucket })) };
    if (start + max < all.length) body.nextPageToken = String(start + max);
    res.writeHead(200, { ...cors, 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  const cert = tls ? testCertificate() : null;
  const server = cert ? http2.createSecureServer({ key: cert.key, cert: cert.cert, allowHTTP1: true }, handler) : http.createServer(handler);
  const sockets = new Set();
  server.on(cert ? 'secureConnection' : 'connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `${cert ? 'https' : 'http'}://127.0.0.1:${port}`,
    spki: cert?.spki,
    log,
    /** 'network' | 503 | 'cors' | null: how the next requests fail. */
    fail(mode) { state.fail = mode; },
    /** Milliseconds before each answer (a farther mirror). */
    delay(ms) { state.delayMs = ms; },
    stop() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
