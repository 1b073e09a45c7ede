// Time from a cold page to its first decoded JPEG tile, in Chromium: the core module alone (what a
// JPEG slide viewer loads now that the codecs are separate modules) against every module loaded
// first (what the single module of before cost: the same code, one download per module), run
// interleaved (A, B, A, B…), each run in a fresh browser (no HTTP or compiled-code cache), with the
// network throttled by Chromium to --latency ms and --mbit Mbit/s (defaults 40 ms, 50 Mbit/s) and
// unthrottled. Reports medians: ms from navigation and from the first lazydcm call to the tile, and
// the WebAssembly and JavaScript bytes transferred.
// Usage: node bench/cold-start.mjs [--runs 7] [--latency 40] [--mbit 50]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium } from '../scripts/lib/chromium.mjs';
import { startNginx } from '../scripts/lib/nginx.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = arg('--runs', 7), latency = arg('--latency', 40), mbit = arg('--mbit', 50);
const slide = 'build/conformance/pixelmed-tiff/level_0.dcm';  // PixelMed's JPEG tiles (scripts/build.sh makes it)
if (!fs.existsSync(path.join(root, slide))) throw new Error(`${slide} is missing: run scripts/build.sh`);

const server = await startNginx(root);
async function once(mode, throttled) {
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    if (throttled) {
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency, downloadThroughput: (mbit * 1e6) / 8, uploadThroughput: (mbit * 1e6) / 8,
      });
    }
    await page.goto(`${server.url}/bench/pages/cold-start.html?mode=${mode}&url=/${slide}`);
    await page.waitForFunction(() => window.result, null, { timeout: 120000 });
    const r = await page.evaluate(() => window.result);
    if (r.error) throw new Error(r.error);
    return r;
  } finally {
    await browser.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
try {
  for (const throttled of [false, true]) {
    const results = { core: [], all: [] };
    for (let i = 0; i < runs; i++) for (const mode of ['core', 'all']) results[mode].push(await once(mode, throttled));
    for (const mode of ['core', 'all']) {
      const rs = results[mode];
      rows.push({
        network: throttled ? `${latency} ms, ${mbit} Mbit/s` : 'loopback',
        modules: mode === 'core' ? 'core only (now)' : 'all four first (the single module before)',
        loaded: rs[0].modules.join('+'),
        'ms from navigation': median(rs.map((r) => r.sinceNavigation)).toFixed(0),
        'ms from first call': median(rs.map((r) => r.sinceOpen)).toFixed(0),
        'wasm bytes': median(rs.map((r) => r.wasmBytes)),
        'js bytes': median(rs.map((r) => r.jsBytes)),
      });
    }
  }
} finally {
  await server.stop();
}
console.table(rows);
fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench/results/cold-start.json'), JSON.stringify({ date: new Date().toISOString(), runs, rows }, null, 1));
