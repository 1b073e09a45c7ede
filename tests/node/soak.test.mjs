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
import { soakCases } from './lib/soak-cases.mjs';
import { runSoak } from './lib/soak.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');
const OPS = Number(process.env.LAZYDCM_SOAK_OPS ?? 10000);
const SEED = Number(process.env.LAZYDCM_SOAK_SEED ?? 7);

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const bytesOf = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

// The cases: frames of the codec fixtures (one file per codec family) and regions of the tiled ones.
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
  const all = soakCases(fixtures, (bytes) => Buffer.from(bytes));
  assert.ok(all.length >= 20, `${all.length} cases`);
  const core = await loadCore();
  const pool = await DecodePool.create(2);
  const resources = (kind) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
  const handlesBefore = resources('FileHandle');
  const memory = async () => {
    gc();
    await new Promise((r) => setTimeout(r, 50));
    gc();
    return { wasm: core.HEAPU8.length, js: process.memoryUsage().heapUsed };
  };
  let warm = null;
  const { tally, failures } = await runSoak({
    open, LazydcmError, pool, cases: all, ops: OPS, seed: SEED,
    chaos: (f) => `${proxy.url}/chaos${SEED}/${f}`, local: (f) => path.join(fixtures, f),
    check: async (c, data) => bytesOf(data).equals(c.want),
    atBatchEnd: async (done) => { if (!warm && done >= OPS / 5) warm = await memory(); },
  });
  const end = await memory();
  await pool.close();
  console.log(`soak: ${JSON.stringify(tally)}; proxy answered ${proxy.counts[`chaos${SEED}`]} requests; ` +
    `WASM heap ${warm.wasm >> 20} -> ${end.wasm >> 20} MiB; JS heap ${(warm.js / 1048576).toFixed(1)} -> ${(end.js / 1048576).toFixed(1)} MiB`);

  assert.deepEqual(failures, []);
  assert.ok(tally.ok > OPS / 2, `only ${tally.ok} of ${OPS} reads succeeded: ${JSON.stringify(tally.errors)}`);
  assert.ok(Object.keys(tally.errors).length > 1, 'the chaos hardly reached the reads');
  assert.ok(end.wasm - warm.wasm <= 16 << 20, `WASM heap grew from ${warm.wasm} to ${end.wasm}`);
  assert.ok(end.js - warm.js <= 24 << 20, `JS heap grew from ${warm.js} to ${end.js}`);
  assert.equal(pool.live, 0, 'workers left running');
  assert.equal(resources('FileHandle'), handlesBefore, 'file handles left open');
  assert.equal(resources('MessagePort') + resources('Worker'), 0, `worker threads or ports left: ${process.getActiveResourcesInfo()}`);
});
