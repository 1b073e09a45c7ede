// A test server for the GCS JSON API's object listing (storage/v1/b/<bucket>/o?prefix=&maxResults=
// &pageToken=), answering from a directory whose subfolders are buckets, with page tokens and CORS
// as GCS sends them. Objects themselves are read from nginx (Range), as from GCS.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export async function startGcsListing(root) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    requests.push(url.pathname + url.search);
    const m = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (!m || !fs.existsSync(path.join(root, m[1]))) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 404, message: 'The specified bucket does not exist.' } }));
      return;
    }
    const prefix = url.searchParams.get('prefix') ?? '';
    const size = Number(url.searchParams.get('maxResults') ?? 1000);
    const start = Number(url.searchParams.get('pageToken') ?? 0);
    const names = fs.readdirSync(path.join(root, m[1])).filter((n) => n.startsWith(prefix)).sort();
    const page = names.slice(start, start + size);
    const body = { kind: 'storage#objects', items: page.map((name) => ({ kind: 'storage#object', name, bucket: m[1] })) };
    if (start + size < names.length) body.nextPageToken = String(start + size);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, requests, stop: () => new Promise((r) => server.close(r)) };
}
