// A proxy that makes loopback look like a network: a fixed delay before each response and a
// bandwidth cap on bodies (sent in 64 KiB chunks paced to the cap).
import http from 'node:http';

import { forward } from '../../scripts/lib/proxy.mjs';

// With `sharedLink`, the cap is the link's: concurrent responses share it (six connections of a
// browser do not get six times the bandwidth). `counters` counts requests and body bytes sent.
export async function startSlowProxy(upstream, { latencyMs = 40, mbitPerSecond = 100, sharedLink = false } = {}) {
  const bytesPerMs = (mbitPerSecond * 1e6) / 8 / 1000;
  const counters = { requests: 0, bytes: 0, reset() { this.requests = 0; this.bytes = 0; } };
  let linkFree = 0;  // when the shared link has sent what is queued on it
  const server = http.createServer(async (req, res) => {
    await new Promise((r) => setTimeout(r, latencyMs));
    const { status, headers, body } = await forward(req, upstream);
    counters.requests++;
    counters.bytes += body.length;
    res.writeHead(status, headers);
    res.flushHeaders();  // headers go out now, the body at the link's pace (as on a network)
    const t0 = performance.now();
    for (let at = 0; at < body.length; at += 65536) {
      const chunk = body.subarray(at, at + 65536);
      let due = t0 + (at + chunk.length) / bytesPerMs;
      if (sharedLink) {
        linkFree = Math.max(linkFree, performance.now()) + chunk.length / bytesPerMs;
        due = linkFree;
      }
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, counters, stop: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}
