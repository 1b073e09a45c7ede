// A real HTTP server in front of nginx that misbehaves on purpose, by the first path segment:
//   /ok/…            passes requests through
//   /dropN/…         destroys the first N connections per path without answering, then passes
//   /500xN/…         answers 500 to the first N requests per path, then passes
//   /truncate1/…     sends half of the first body (Content-Length says more) and closes, then passes
//   /etag/…          passes, but the ETag changes after the first request (the object "changed")
//   /full200/…       answers 200 with the whole file whatever the Range (a server ignoring Range)
//   /wrongrange/…    answers 206 for bytes that start elsewhere than asked
//   /chaosS/…        any of the above at random (seed S, one stream for the whole proxy): drops,
//                    500s, truncated bodies, wrong ranges, and now and then a new ETag for the path
//                    (the object "changed": from then on every answer carries the new one)
// It counts requests per mode, so tests can see retries happen.
import http from 'node:http';

import { forward } from '../../../scripts/lib/proxy.mjs';
import { random } from './soak.mjs';  // the seeded generator the soak uses

export async function startFaultProxy(upstream) {
  const seen = new Map();
  const counts = {};
  const generations = new Map();  // chaos: path -> ETag generation
  let chaos = null;
  const server = http.createServer(async (req, res) => {
    const m = /^\/([^/]+)(\/.*)$/.exec(req.url);
    const mode = m?.[1] ?? 'ok';
    const rest = m?.[2] ?? req.url;
    const n = (seen.get(req.url + mode) ?? 0) + 1;
    seen.set(req.url + mode, n);
    counts[mode] = (counts[mode] ?? 0) + 1;
    const drop = /^drop(\d+)$/.exec(mode), fail = /^500x(\d+)$/.exec(mode);
    let chaosDo = null;
    const chaosSeed = /^chaos(\d+)$/.exec(mode);
    if (chaosSeed) {
      chaos ??= random(Number(chaosSeed[1]));
      const x = chaos();
      chaosDo = x < 0.05 ? 'drop' : x < 0.10 ? '500' : x < 0.14 ? 'truncate' : x < 0.16 ? 'wrongrange' : x < 0.165 ? 'etag' : 'ok';
      if (chaosDo === 'etag') generations.set(rest, (generations.get(rest) ?? 0) + 1);
      if (chaosDo === 'drop') return req.socket.destroy();
    }
    if (drop && n <= Number(drop[1])) return req.socket.destroy();
    if ((fail && n <= Number(fail[1])) || chaosDo === '500') {
      // As S3 and GCS do, the error carries CORS headers (a page sees the 500, not a CORS failure).
      res.writeHead(500, { 'Content-Type': 'text/plain', 'Access-Control-Allow-Origin': '*' });
      return res.end('try again');
    }
    const { status, headers: out, body } = await forward({ url: rest, method: req.method, headers: req.headers }, upstream,
      { dropRange: mode === 'full200' });
    if (mode === 'etag' && n > 1) out.etag = '"changed"';
    if (chaosSeed && generations.get(rest) && out.etag) out.etag = out.etag.replace(/"$/, `-g${generations.get(rest)}"`);
    if ((mode === 'wrongrange' || chaosDo === 'wrongrange') && status === 206) {
      const [, a, b, total] = /bytes (\d+)-(\d+)\/(\d+)/.exec(out['content-range']);
      out['content-range'] = `bytes ${Number(a) + 1}-${Number(b) + 1}/${total}`;
    }
    if (((mode === 'truncate1' && n === 1) || chaosDo === 'truncate') && body.length > 2) {
      out['content-length'] = String(body.length);
      res.writeHead(status, out);
      res.write(body.subarray(0, body.length >> 1));
      return setTimeout(() => req.socket.destroy(), 10);
    }
    res.writeHead(status, out);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    stop: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}
