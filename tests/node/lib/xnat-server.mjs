// A test server answering as XNAT does (XNAT cannot run here): built from XNAT's documented REST
// responses, under a /xnat prefix. POST /data/JSESSION with HTTP basic authentication answers the
// session ID (and sets the JSESSIONID cookie); the scan's file listing
// /data/projects/<p>/subjects/<s>/experiments/<e>/scans/<n>/resources/DICOM/files?format=json
// answers {"ResultSet": {"Result": [{Name, Size, URI, collection, file_format, …}], totalRecords}}
// with URIs under /data/experiments/<id>/scans/<n>/resources/<id>/files/<name>; files are sent
// whole, Range ignored (as XNAT versions that stream files do). Everything needs basic auth or the
// session cookie (401 otherwise).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export async function startXnat({ files, user = 'alice', password = 'secret', project = 'P1', subject = 'S1', experiment = 'E1', scan = '2' }) {
  const sessions = new Set();
  const log = [];
  const names = files.map((f, i) => ({ file: f, name: `${String(i + 1).padStart(4, '0')}-${path.basename(f)}` }));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    log.push({ method: req.method, path: url.pathname, range: req.headers.range ?? null, auth: req.headers.authorization ? 'basic' : /JSESSIONID=/.test(req.headers.cookie ?? '') ? 'session' : null });
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const okBasic = basic && Buffer.from(basic[1], 'base64').toString() === `${user}:${password}`;
    const cookie = /JSESSIONID=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (!okBasic && !(cookie && sessions.has(cookie))) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="XNAT"', 'Content-Type': 'text/html' });
      res.end('<html><body>Login required</body></html>');
      return;
    }
    if (req.method === 'POST' && url.pathname === '/xnat/data/JSESSION') {
      const id = randomBytes(16).toString('hex').toUpperCase();
      sessions.add(id);
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Set-Cookie': `JSESSIONID=${id}; Path=/xnat; HttpOnly` });
      res.end(id);
      return;
    }
    const listing = `/xnat/data/projects/${project}/subjects/${subject}/experiments/${experiment}/scans/${scan}/resources/DICOM/files`;
    if (url.pathname === listing) {
      const result = names.map(({ file, name }) => ({ Name: name, Size: String(fs.statSync(file).size), URI: `/data/experiments/XNAT_E00007/scans/${scan}/resources/4711/files/${name}`,
        collection: 'DICOM', file_tags: '', file_format: 'DICOM', file_content: 'RAW', cat_ID: '4711' }));
      result.push({ Name: 'snapshot.gif', Size: '10', URI: `/data/experiments/XNAT_E00007/scans/${scan}/resources/4711/files/snapshot.gif`, collection: 'DICOM',
        file_tags: '', file_format: 'GIF', file_content: 'SNAPSHOT', cat_ID: '4711' });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ResultSet: { Result: result, totalRecords: String(result.length), Columns: {} } }));
      return;
    }
    const m = new RegExp(`^/xnat/data/experiments/XNAT_E00007/scans/${scan}/resources/4711/files/(.+)$`).exec(url.pathname);
    const hit = m && names.find((n) => n.name === decodeURIComponent(m[1]));
    if (hit) {
      const size = fs.statSync(hit.file).size;
      res.writeHead(200, { 'Content-Type': 'application/dicom', 'Content-Length': size, 'Last-Modified': fs.statSync(hit.file).mtime.toUTCString() });
      if (req.method === 'HEAD') res.end(); else fs.createReadStream(hit.file).pipe(res);  // Range ignored
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('Not Found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${server.address().port}/xnat`, log, user, password, project, subject, experiment, scan,
    stop: () => new Promise((r) => server.close(r)) };
}
