// Soak: 10,000 random frame and region reads from several instances at once, with random aborts,
// through the fault proxy's chaos mode (drops, 500s, truncated bodies, wrong ranges, objects that
// change) and from local files, decoding inline and in a worker pool. Every result equals the
// independent reference (pydicom/GDCM .npy files) or is a LazydcmError with an expected code; the
// WASM heap and the JS heap stay flat after warm-up; no worker, file handle or read is left over.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

import { DecodePool, LazydcmError, open } from '../../web/dist/index.js';
import { loadCore } from '../../web/dist/wasm/load.js';
import { startNginx } from '../../scripts/lib/nginx.mjs';
import { startFaultProxy } from './lib/faults.mjs';
import { readNpy } from './lib/npy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');
const OPS = Number(process.env.LAZYDCM_SOAK_OPS ?? 10000);
const SEED = Number(process.env.LAZYDCM_SOAK_SEED ?? 7);
const CONCURRENCY = 8;
// What a read through a misbehaving server may end in, besides the right pixels.
const EXPECTED_ERRORS = new Set(['aborted', 'network', 'httpError', 'sourceChanged']);

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const bytesOf = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

// The cases: frames of the codec fixtures (one file per codec family) and regions of the tiled ones.
function cases() {
  const out = [];
  const codec = JSON.parse(fs.readFileSync(path.join(fixtures, 'codec.json'), 'utf8'));
  for (const name of ['ct16s_raw', 'ct16s_rle', 'ct16s_jls', 'ct16s_j2k', 'ct16s_htj2k', 'rgb_jpeg', 'mr16_jls']) {
    const m = codec[name];
    if (!m) continue;
    const ref = readNpy(path.join(fixtures, 'codec', `${name}.npy`));
    const frameBytes = ref.bytes.length / m.frames;
    for (let f = 1; f <= m.frames; f++) {
      out.push({ file: `codec/${m.file}`, kind: 'frame', frame: f,
        want: Buffer.from(ref.bytes.subarray((f - 1) * frameBytes, f * frameBytes)) });
    }
  }
  const tpm = JSON.parse(fs.readFileSync(path.join(fixtures, 'tpm.json'), 'utf8'));
  for (const m of Object.values(tpm)) {
    for (const r of m.regions) {
      out.push({ file: path.relative(fixtures, m.file), kind: 'region',
        region: { ...m.selection, asIndices: true, rowStart: r.rows[0], rowEnd: r.rows[1], columnStart: r.cols[0], columnEnd: r.cols[1], stored: true },
        want: Buffer.from(readNpy(path.join(fixtures, 'tpm', r.npy)).bytes) });
    }
  }
  return out;
}

let nginx, proxy;
before(async () => {
  nginx = await startNginx(fixtures);
  proxy = await startFaultProxy(nginx.url);
});
after(async () => {
  await proxy?.stop();
  await nginx?.stop();
});

test(`soak: ${OPS} random reads through a chaotic server and from files, with aborts, inline and in workers`, { timeout: 15 * 60_000 }, async () => {
  const all = cases();
  assert.ok(all.length >= 20, `${all.length} cases`);
  const rand = random(SEED);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const core = await loadCore();
  const pool = await DecodePool.create(2);
  const resources = (kind) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
  const handlesBefore = resources('FileHandle');

  // Open instances, keyed by where and how: reused by later reads, replaced after sourceChanged.
  const instances = new Map();
  const instanceFor = (c, where, pooled, cached) => {
    const key = `${where}|${pooled}|${cached}|${c.file}`;
    let p = instances.get(key);
    if (!p) {
      const src = where === 'local' ? path.join(fixtures, c.file) : `${proxy.url}/chaos${SEED}/${c.file}`;
      p = open(src, { http: { retries: 4, retryDelayMs: 1 }, ...(cached ? {} : { caches: false }), ...(pooled ? { decodePool: pool } : {}) });
      instances.set(key, p);
      p.catch(() => instances.delete(key));
    }
    return { key, p };
  };
  const closeAll = async () => {
    const ps = [...instances.values()];
    instances.clear();
    for (const r of await Promise.allSettled(ps)) if (r.status === 'fulfilled') await r.value.close();
  };

  const tally = { ok: 0, errors: {} };
  const one = async () => {
    const c = pick(all);
    const where = rand() < 0.8 ? 'chaos' : 'local';
    const { key, p } = instanceFor(c, where, rand() < 0.5, rand() < 0.3);
    const controller = rand() < 0.1 ? new AbortController() : null;
    if (controller) setTimeout(() => controller.abort(), Math.floor(rand() * 4));
    const signal = controller?.signal;
    try {
      const inst = await p;
      const got = c.kind === 'frame'
        ? (await inst.getStoredFrame(c.frame, { signal })).data
        : (await inst.getTotalPixelMatrix({ ...c.region, signal })).data;
      assert.ok(bytesOf(got).equals(c.want), `${c.kind} of ${c.file} (${where}) differs from the reference`);
      tally.ok++;
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      assert.ok(e instanceof LazydcmError, `${c.file}: not a LazydcmError: ${e?.stack ?? e}`);
      assert.ok(EXPECTED_ERRORS.has(e.codeName), `${c.file} (${where}): ${e.codeName}: ${e.message}`);
      if (where === 'local') assert.equal(e.codeName, 'aborted', `a local file failed: ${e.message}`);
      tally.errors[e.codeName] = (tally.errors[e.codeName] ?? 0) + 1;
      if (e.codeName === 'sourceChanged' && instances.get(key) === p) {
        instances.delete(key);
        (await p).close();
      }
    }
  };

  let done = 0, heapAfterWarmup = 0, jsAfterWarmup = 0, measured = false;
  const warmup = Math.floor(OPS / 5);
  const measure = async () => {
    await closeAll();
    gc();
    await new Promise((r) => setTimeout(r, 50));
    gc();
    return { wasm: core.HEAPU8.length, js: process.memoryUsage().heapUsed };
  };
  while (done < OPS) {
    const batch = Math.min(250, OPS - done);
    let next = 0;
    const lane = async () => { while (next < batch) { next++; await one(); } };
    // A hung read fails the test here instead of hanging it.
    await Promise.race([
      Promise.all(Array.from({ length: CONCURRENCY }, lane)),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`reads still pending after 120 s (ops ${done}..${done + batch})`)), 120_000).unref()),
    ]);
    done += batch;
    await closeAll();  // the next batch opens again: headers and indexes read through the chaos too
    if (!measured && done >= warmup) {
      ({ wasm: heapAfterWarmup, js: jsAfterWarmup } = await measure());
      measured = true;
    }
  }
  const end = await measure();
  await pool.close();
  console.log(`soak: ${JSON.stringify(tally)}; proxy answered ${proxy.counts[`chaos${SEED}`]} requests; ` +
    `WASM heap ${heapAfterWarmup >> 20} -> ${end.wasm >> 20} MiB; JS heap ${(jsAfterWarmup / 1048576).toFixed(1)} -> ${(end.js / 1048576).toFixed(1)} MiB`);

  assert.ok(tally.ok > OPS / 2, `only ${tally.ok} of ${OPS} reads succeeded: ${JSON.stringify(tally.errors)}`);
  assert.ok(Object.keys(tally.errors).length > 0, 'the chaos never reached a read');
  assert.ok(end.wasm - heapAfterWarmup <= 16 << 20, `WASM heap grew from ${heapAfterWarmup} to ${end.wasm}`);
  assert.ok(end.js - jsAfterWarmup <= 24 << 20, `JS heap grew from ${jsAfterWarmup} to ${end.js}`);
  assert.equal(pool.live, 0, 'workers left running');
  assert.equal(resources('FileHandle'), handlesBefore, 'file handles left open');
  assert.equal(resources('MessagePort') + resources('Worker'), 0, `worker threads or ports left: ${process.getActiveResourcesInfo()}`);
});
