// Region and slide-patch time, and the bytes copied between JavaScript and WASM per tile, for
// regions of a local JPEG slide level (12288 x 12288, 256 x 256 tiles; bench/make-slide.py):
//   after   getTotalPixelMatrix as users call it: each tile's encoded bytes copied in and decoded
//           straight into the region inside WASM; the finished region copied out once
//   before  the flow before issue 15, replayed through the same build's internals: each tile
//           decoded, copied out to JavaScript, copied back in and pasted, then the region copied out
// Encoded tiles come from a warm encoded cache in both (the decoded cache is off), so the runs
// differ only in decoding and assembly. Runs are interleaved (after, before, after, before…);
// medians. Copies are counted by web/src/wasm/core.ts (`copies`).
// Usage: node bench/region-copies.mjs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createFrameCaches, open, openSlide } from '../web/dist/index.js';
import { copies } from '../web/dist/wasm/core.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.join(root, 'bench/data');
const slide = path.join(dataDir, 'slide_48x48.dcm');
fs.mkdirSync(dataDir, { recursive: true });
if (!fs.existsSync(slide)) execFileSync('/usr/bin/python3', [path.join(root, 'bench/make-slide.py'), slide]);

const caches = createFrameCaches({ encodedBytes: 1 << 30, decodedBytes: 0 });
const inst = await open(slide, { caches });

async function after(region) {
  return inst.getTotalPixelMatrix(region);
}

// The previous flow: decodedFrames (decode, copy out), pasteDecoded (copy in), regionStored (copy out).
async function before(region) {
  const pixels = inst['open_']().pixels();
  const plan = pixels.planRegion(region.rowStart, region.rowEnd, region.columnStart, region.columnEnd);
  try {
    const decoded = await inst.decodedFrames(plan.frames, {});
    for (const i of plan.frames) pixels.pasteDecoded(i, decoded.get(i));
    return { data: pixels.regionStored(), frames: plan.frames };
  } finally {
    pixels.releaseRegion();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const rows = [];
for (const side of [512, 2048]) {
  const region = { asIndices: true, rowStart: 1024, rowEnd: 1024 + side, columnStart: 1024, columnEnd: 1024 + side, stored: true };
  const a = await after(region), b = await before(region);  // warm the encoded cache; same pixels
  if (!Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(b.data))) throw new Error('regions differ');
  const tiles = a.frames.length;
  const runs = { after: [], before: [] }, copied = {};
  for (let k = 0; k < (side > 1000 ? 15 : 60); k++) {
    for (const [name, f] of [['after', after], ['before', before]]) {
      copies.reset();
      const t0 = performance.now();
      await f(region);
      runs[name].push(performance.now() - t0);
      copied[name] = { ...copies };
    }
  }
  for (const name of ['after', 'before']) {
    const c = copied[name];
    rows.push({ region: `${side} x ${side} (${tiles} tiles)`, flow: name, ms: median(runs[name]),
      in: c.inBytes / tiles, out: c.outBytes / tiles, copies: `${c.in} in, ${c.out} out` });
  }
}

// Slide patches (RGB, getPatch as users call it): 512 x 512 at level 0, decoded cache off and on (cleared each run).
const slideRows = [];
for (const decodedBytes of [0, 256 << 20]) {
  const s = await openSlide(slide, { caches: createFrameCaches({ encodedBytes: 1 << 30, decodedBytes }) });
  const times = [];
  let c;
  for (let k = 0; k < 40; k++) {
    if (decodedBytes) s.levels[0].instances[0][0]['caches']?.decoded.clear();  // cold decoded cache each run
    copies.reset();
    const t0 = performance.now();
    await s.getPatch(0, 2048 + (k % 2) * 256, 2048, 512, 512);
    times.push(performance.now() - t0);
    c = { ...copies };
  }
  slideRows.push({ decodedCache: decodedBytes ? 'on (cold)' : 'off', tiles: c.in, ms: median(times.slice(1)), in: c.inBytes / c.in, out: c.outBytes / c.in, copies: `${c.in} in, ${c.out} out` });
  await s.close();
}
await inst.close();

const kb = (n) => (n / 1024).toFixed(1);
console.log(`Region assembly, local JPEG slide level (256 x 256 tiles), encoded tiles cached; median ms. Machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}\n`);
console.log('| region | flow | ms | KiB copied in per tile | KiB copied out per tile | copies |');
console.log('|---|---|---:|---:|---:|---|');
for (const r of rows) console.log(`| ${r.region} | ${r.flow} | ${r.ms.toFixed(2)} | ${kb(r.in)} | ${kb(r.out)} | ${r.copies} |`);
console.log(`\nSlide patch 512 x 512 (RGB, ${slideRows[0].tiles} tiles), getPatch:\n`);
console.log('| decoded cache | ms | KiB copied in per tile | KiB copied out per tile | copies |');
console.log('|---|---:|---:|---:|---|');
for (const r of slideRows) console.log(`| ${r.decodedCache} | ${r.ms.toFixed(2)} | ${kb(r.in)} | ${kb(r.out)} | ${r.copies} |`);
fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench/results/region-copies.json'), JSON.stringify({ rows, slideRows }, null, 1));
