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

// Slide patches of level 0 reaching past its right edge (512 x 512, half outside: placed on a
// filled canvas), getPatch as users call it, against the flow before issue 15 replayed: the
// region's tiles decoded out to JavaScript and pasted back, the region copied out, then placed on
// the canvas in JavaScript. Decoded cache off in both.
const s = await openSlide(slide, { caches: createFrameCaches({ encodedBytes: 1 << 30, decodedBytes: 0 }) });
const part = s.levels[0].instances[0][0];
const W = s.levels[0].columns;
async function patchAfter(x, y) {
  return s.getPatch(0, x, y, 512, 512, { fill: 255 });
}
async function patchBefore(x, y) {
  const w = W - x;
  const pixels = part['open_']().pixels();
  const plan = pixels.planRegion(y, y + 512, x, W);
  let region;
  try {
    const decoded = await part.decodedFrames(plan.frames, { rgb: true });
    for (const i of plan.frames) pixels.pasteDecoded(i, decoded.get(i));
    region = pixels.regionStored();
  } finally {
    pixels.releaseRegion();
  }
  const data = new Uint8Array(512 * 512 * 3).fill(255);
  for (let r = 0; r < 512; r++) data.set(region.subarray(r * w * 3, (r + 1) * w * 3), r * 512 * 3);
  return { data };
}
const slideRows = [];
{
  const a = await patchAfter(W - 256, 1024), b = await patchBefore(W - 256, 1024);
  if (!Buffer.from(a.data).equals(Buffer.from(b.data))) throw new Error('patches differ');
  const runs = { after: [], before: [] }, copied = {};
  for (let k = 0; k < 30; k++) {
    for (const [name, f] of [['after', patchAfter], ['before', patchBefore]]) {
      copies.reset();
      const t0 = performance.now();
      await f(W - 256 - (k % 2) * 128, 1024);
      runs[name].push(performance.now() - t0);
      copied[name] = { ...copies };
    }
  }
  for (const name of ['after', 'before']) {
    const c = copied[name];
    slideRows.push({ flow: name, ms: median(runs[name]), inBytes: c.inBytes, outBytes: c.outBytes,
      copies: `${c.in} in, ${c.out} out` });
  }
}
await s.close();
await inst.close();

const kb = (n) => (n / 1024).toFixed(1);
console.log(`Region assembly, local JPEG slide level (256 x 256 tiles), encoded tiles cached; median ms. Machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}\n`);
console.log('| region | flow | ms | KiB copied in per tile | KiB copied out per tile | copies |');
console.log('|---|---|---:|---:|---:|---|');
for (const r of rows) console.log(`| ${r.region} | ${r.flow} | ${r.ms.toFixed(2)} | ${kb(r.in)} | ${kb(r.out)} | ${r.copies} |`);
console.log('\nSlide patch 512 x 512 of level 0, half past its edge (RGB, filled), getPatch:\n');
console.log('| flow | ms | KiB copied in | KiB copied out | copies |');
console.log('|---|---:|---:|---:|---|');
for (const r of slideRows) console.log(`| ${r.flow} | ${r.ms.toFixed(2)} | ${kb(r.inBytes)} | ${kb(r.outBytes)} | ${r.copies} |`);
fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench/results/region-copies.json'), JSON.stringify({ rows, slideRows }, null, 1));
