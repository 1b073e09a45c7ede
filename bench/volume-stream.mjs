// A 500-slice CT series and a 100-segment SEG over a slow link, in Chromium: lazydcm (series
// headers by Range, the volume filling from the middle slice outward into a VolumeView, the SEG
// overlay of the middle slice reading only its frames) against downloading every file whole (the
// cornerstone way: a whole-file loader can parse nothing before its file has arrived). Page and
// files on one origin behind the slow proxy (a round trip per request, a shared link cap),
// HTTP/1.1; interleaved rounds, medians. Input: bench/make-ct-seg.py.
// Usage: node bench/volume-stream.mjs [--latency 40] [--mbit 100] [--rounds 3]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium } from '../scripts/lib/chromium.mjs';
import { startNginx } from '../scripts/lib/nginx.mjs';
import { startSlowProxy } from './lib/slow-proxy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const latencyMs = arg('--latency', 40), mbitPerSecond = arg('--mbit', 100), rounds = arg('--rounds', 3);
const dir = path.join(root, 'bench/data/ct500');
if (!fs.existsSync(path.join(dir, 'seg.dcm'))) execFileSync('/usr/bin/python3', [path.join(root, 'bench/make-ct-seg.py'), dir], { stdio: 'inherit' });
const files = fs.readdirSync(path.join(dir, 'ct')).sort();

const app = await startNginx(root);
const proxy = await startSlowProxy(app.url, { latencyMs, mbitPerSecond, sharedLink: true });
const ctUrls = files.map((f) => `${proxy.url}/bench/data/ct500/ct/${f}`);
const segUrl = `${proxy.url}/bench/data/ct500/seg.dcm`;
const browser = await launchChromium();

/** Resident memory of Chromium's renderer processes (the page's JS heap, ArrayBuffers and WASM memory), MB. */
function rendererRssMB() {
  let kb = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('--type=renderer')) continue;
      kb += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1] ?? 0);
    } catch {
      // the process ended
    }
  }
  return Math.round(kb / 1024);
}

async function run(fn) {
  const p = await browser.context.newPage();
  const cdp = await p.context().newCDPSession(p);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await p.goto(`${proxy.url}/bench/pages/volume-stream.html`);
  await p.waitForFunction(() => window.ready === true, null, { timeout: 120000 });
  proxy.counters.reset();
  const base = rendererRssMB();
  let peak = base;
  const sampler = setInterval(() => { peak = Math.max(peak, rendererRssMB()); }, 100);
  const r = await p.evaluate(([f, c, s]) => window[f](c, s), [fn, ctUrls, segUrl]).finally(() => clearInterval(sampler));
  r.peakRendererMB = peak;
  r.rendererGrowthMB = peak - base;
  r.requests = proxy.counters.requests;
  r.MB = Math.round(proxy.counters.bytes / 2 ** 20);
  await p.close();
  return r;
}

const results = { lazydcm: [], download: [] };
for (let round = 0; round < rounds; round++) {
  for (const [name, fn] of [['lazydcm', 'runLazydcm'], ['download', 'runDownload']]) {
    try {
      results[name].push(await run(fn));
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
console.log(`\n${files.length}-slice CT (512 x 512 x 16 bits, one file per slice) + 100-segment SEG, ${latencyMs} ms per request, ${mbitPerSecond} Mbit/s shared, HTTP/1.1; median of ${rounds}`);
for (const [name, rs] of Object.entries(results)) {
  const ok = rs.filter((r) => !r.error);
  const keys = ok.length ? Object.keys(ok[0]) : [];
  console.log(`${name}: ${keys.map((k) => `${k} ${median(ok.map((r) => r[k]))}`).join(', ')}`);
  for (const r of rs) if (r.error) console.log(`${name}: ${r.error}`);
}
