// Soak in Chromium: the Node soak's loop (tests/node/lib/soak.mjs) in a page, reading cross-origin
// through the fault proxy's chaos mode and straight from nginx, decoding in a pool of module
// Workers, with random aborts. Every result matches the pydicom reference's SHA-256 or is an
// expected LazydcmError; the page's WASM heap and JS heap stay flat; no worker is left running.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launchChromium } from '../../scripts/lib/chromium.mjs';
import { startNginx } from '../../scripts/lib/nginx.mjs';
import { startFaultProxy } from '../node/lib/faults.mjs';
import { soakCases } from '../node/lib/soak-cases.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');
const OPS = Number(process.env.LAZYDCM_BROWSER_SOAK_OPS ?? 3000);
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

let app, data, proxy, browser;
before(async () => {
  app = await startNginx(root);
  data = await startNginx(fixtures);
  proxy = await startFaultProxy(data.url);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await proxy?.stop();
  await app?.stop();
  await data?.stop();
});

test(`soak in Chromium: ${OPS} random reads through a chaotic server, with aborts, in a worker pool`, { timeout: 10 * 60_000 }, async () => {
  const page = await browser.context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${app.url}/tests/browser/pages/soak.html`);
  await page.waitForFunction(() => window.ready === true);
  const cdp = await browser.context.newCDPSession(page);
  // No HTTP cache: every read the library makes reaches the proxy (Chromium caches 206 answers).
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const jsHeap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  // A short warm-up run, then the soak: the JS heap is measured after each.
  const args = { cases: soakCases(fixtures, sha256), proxyUrl: proxy.url, dataUrl: data.url, seed: 11 };
  const warm = await page.evaluate((a) => window.soak(a), { ...args, ops: Math.floor(OPS / 5) });
  assert.deepEqual(warm.failures, []);
  const jsWarm = await jsHeap();
  const r = await page.evaluate((a) => window.soak(a), { ...args, ops: OPS, seed: 12 });
  const jsEnd = await jsHeap();
  console.log(`browser soak: ${JSON.stringify(r.tally)}; WASM heap ${r.warmHeap >> 20} -> ${r.endHeap >> 20} MiB; ` +
    `JS heap ${(jsWarm / 1048576).toFixed(1)} -> ${(jsEnd / 1048576).toFixed(1)} MiB; proxy answered ${proxy.counts.chaos11 + proxy.counts.chaos12} requests`);

  assert.deepEqual(r.failures, []);
  assert.deepEqual(pageErrors, []);
  assert.ok(r.tally.ok > OPS / 2, JSON.stringify(r.tally));
  assert.ok(Object.keys(r.tally.errors).length > 1, 'the chaos hardly reached the reads');
  assert.equal(r.liveBeforeClose, 2, 'a worker died during the soak');
  assert.equal(r.liveAfterClose, 0);
  assert.ok(r.endHeap - r.warmHeap <= 16 << 20, `WASM heap grew from ${r.warmHeap} to ${r.endHeap}`);
  assert.ok(jsEnd - jsWarm <= 32 << 20, `JS heap grew from ${jsWarm} to ${jsEnd}`);
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(page.workers().length, 0, `workers left in the page: ${page.workers().map((w) => w.url())}`);
  await page.close();
});
