// A slide viewer over a slow link, in Chromium: a 100,000-tile JPEG level (bench/make-big-slide.py,
// 317 x 316 tiles of 256, BOT + TIFF personality) served by nginx through a proxy adding a round
// trip per request and capping the link (shared by all connections; HTTP/1.1, so Chromium opens
// six). Fills a 1920 x 1080 view at 1:1 from cold, then after a half-screen pan, after a zoom-out
// by 2 (same level: 4x the tiles), and on reopening the slide — with lazydcm's SlideView (a view is
// one request plan, the ring around it prefetched, the persistent cache on reopen), OpenSeadragon
// fetching each tile with its own Range request (the per-tile way of DICOMweb viewers), and
// geotiff.js reading the TIFF personality (BlockedSource). Interleaved rounds, medians; requests
// and bytes counted at the proxy. The link's limit for each step: round trips x RTT + bytes /
// bandwidth, with the view's tiles in six parallel streams.
// Usage: node bench/view-plan.mjs [--latency 40] [--mbit 100] [--rounds 3]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { open } from '../web/dist/index.js';
import { launchChromium } from '../scripts/lib/chromium.mjs';
import { startNginx } from '../scripts/lib/nginx.mjs';
import { startSlowProxy } from './lib/slow-proxy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const latencyMs = arg('--latency', 40), mbitPerSecond = arg('--mbit', 100), rounds = arg('--rounds', 3);
const dataDir = path.join(root, 'bench/data');
const file = path.join(dataDir, 'big_slide.dcm');
fs.mkdirSync(dataDir, { recursive: true });
if (!fs.existsSync(file)) execFileSync('/usr/bin/python3', [path.join(root, 'bench/make-big-slide.py'), file], { stdio: 'inherit' });

// The tiles' JPEG byte ranges (for the per-tile peer), from lazydcm's index of the local file.
const local = await open(file);
const W0 = local.summary.totalPixelMatrixColumns, H0 = local.summary.totalPixelMatrixRows;
const tiles = local.frames.map((f) => [f.offset + 8, f.length - 8]);  // the range holds the item header
await local.close();
const cx = Math.round(W0 / 2), cy = Math.round(H0 / 2);

// One origin for the page and the file (no CORS question for any of the three), all through the
// slow link; counters are reset once the page (and lazydcm's core module) has loaded.
const app = await startNginx(root);
const proxy = await startSlowProxy(app.url, { latencyMs, mbitPerSecond, sharedLink: true });
const url = `${proxy.url}/bench/data/big_slide.dcm`;
const browser = await launchChromium();

/** A fresh page (Chromium's HTTP cache off: each run pays for its bytes); `counts` gets the proxy's
 * requests and bytes of each step the page reports (window.stepDone). */
async function page(counts) {
  const p = await browser.context.newPage();
  const cdp = await p.context().newCDPSession(p);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await p.setViewportSize({ width: 1920, height: 1080 });
  await p.exposeFunction('stepDone', (name) => {
    counts[name] = { requests: proxy.counters.requests, bytes: proxy.counters.bytes };
    proxy.counters.reset();
  });
  await p.goto(`${proxy.url}/bench/pages/view-plan.html`);
  await p.waitForFunction(() => window.ready === true);
  proxy.counters.reset();
  return p;
}

/** Per step: ms from the page, requests and bytes from the proxy. */
const merge = (times, counts) => Object.fromEntries(Object.entries(times).map(([k, v]) => [k, { ...v, ...counts[k] }]));

const ways = {
  lazydcm: async () => {
    const counts = {};
    const p = await page(counts);
    const cold = await p.evaluate(([u, x, y]) => window.runLazydcm(u, x, y, false), [url, cx, cy]);
    await p.reload();  // a new page load: only the persistent cache (Cache Storage) remains
    await p.waitForFunction(() => window.ready === true);
    await p.evaluate(() => window.warm());
    proxy.counters.reset();
    const again = await p.evaluate(([u, x, y]) => window.runLazydcm(u, x, y, true), [url, cx, cy]);
    await p.close();
    return merge({ ...cold, ...again }, counts);
  },
  openseadragon: async () => {
    const counts = {};
    const p = await page(counts);
    const r = await p.evaluate(([u, w, h, t, x, y]) => window.runOsd(u, w, h, t, x, y), [url, W0, H0, tiles, cx, cy]);
    await p.close();
    return merge(r, counts);
  },
  geotiff: async () => {
    const counts = {};
    const p = await page(counts);
    const r = await p.evaluate(([u, x, y]) => window.runGeotiff(u, x, y, false), [url, cx, cy]);
    const again = await p.evaluate(([u, x, y]) => window.runGeotiff(u, x, y, true), [url, cx, cy]);
    await p.close();
    return merge({ ...r, ...again }, counts);
  },
};

const results = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of Object.entries(ways)) {  // interleaved: A, B, C, A, B, C, …
    try {
      results[name].push(await run());
    } catch (e) {
      results[name].push({ error: e.message.split('\n')[0] });
    }
    process.stderr.write(`round ${round + 1} ${name}: ${JSON.stringify(results[name].at(-1))}\n`);
  }
}
await browser.close();
await proxy.stop();
await app.stop();

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
// The link's limit: tiles of a view in six streams — ceil(tiles / 6) round trips for one request
// per tile, rows for lazydcm's plan — plus bytes / bandwidth.
const bytesPerMs = (mbitPerSecond * 1e6) / 8 / 1000;
console.log(`\n100,000-tile level (${W0} x ${H0}), 1920 x 1080 view, ${latencyMs} ms per request, ${mbitPerSecond} Mbit/s shared, HTTP/1.1; median of ${rounds}`);
console.log('step      way            ms      requests   bytes        link limit (ms, RTT x rounds + bytes/bandwidth)');
for (const step of ['cold', 'pan', 'zoomOut', 'reopen']) {
  for (const name of Object.keys(ways)) {
    const rs = results[name].filter((r) => !r.error && r[step]);
    if (!rs.length) continue;
    const m = median(rs.map((r) => r[step].ms));
    const req = median(rs.map((r) => r[step].requests));
    const bytes = median(rs.map((r) => r[step].bytes));
    const limit = Number.isFinite(bytes) ? Math.round(Math.ceil((req || 1) / 6) * latencyMs + bytes / bytesPerMs) : NaN;
    // lazydcm's own counters for the view alone (SlideView.lastView: its tiles, not the open or the ring).
    const own = rs[0][step].view ? `   view alone: ${median(rs.map((r) => r[step].view.requests))} requests, ${median(rs.map((r) => r[step].view.bytes))} bytes, ${median(rs.map((r) => r[step].view.tiles))} tiles` : '';
    console.log(`${step.padEnd(9)} ${name.padEnd(14)} ${String(m).padStart(6)}  ${String(req).padStart(8)}  ${String(bytes).padStart(11)}   ${Number.isFinite(limit) ? `${limit} (${(m / limit).toFixed(2)}x)` : '—'}${own}`);
  }
}
for (const [name, rs] of Object.entries(results)) for (const r of rs) if (r.error) console.log(`${name}: ${r.error}`);
