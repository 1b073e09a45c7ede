// Memory bounds at the WASM boundary: a request within the core's limits that does not fit the
// module's 2 GiB is a LazydcmError outOfMemory naming what was asked (not a bare C++ exception),
// one past the limits is valueTooLarge before the region is allocated (on wasm32 a size_t product would
// wrap), and the module keeps working afterwards. Own file: node --test gives it its own process.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createFrameCaches, LazydcmError, MemorySource, open } from '../../web/dist/index.js';
import { core as coreApi } from '../../web/dist/wasm/core.js';
import { loadCore } from '../../web/dist/wasm/load.js';
import { writeDicom } from './lib/write-dicom.mjs';

// DICOM JSON of a TILED_FULL slide level: 256 x 256 tiles over a matrix of `side` x `side` pixels.
function tiledMetadata(side) {
  const tiles = Math.ceil(side / 256) ** 2;
  const v = (vr, ...Value) => ({ vr, Value });
  return {
    '00080016': v('UI', '1.2.840.10008.5.1.4.1.1.77.1.6'),
    '00080018': v('UI', '1.2.3.4.5'),
    '00280002': v('US', 1), '00280004': v('CS', 'MONOCHROME2'), '00280008': v('IS', tiles),
    '00280010': v('US', 256), '00280011': v('US', 256), '00280100': v('US', 8), '00280101': v('US', 8),
    '00280102': v('US', 7), '00280103': v('US', 0),
    '00209311': v('CS', 'TILED_FULL'), '00480006': v('UL', side), '00480007': v('UL', side),
  };
}

async function reader(side) {
  const r = (await coreApi()).instanceFromMetadata(tiledMetadata(side), '1.2.840.10008.1.2.1', `slide ${side}`);
  assert.equal(r.step(), 'done');
  return r;
}

test('a region that does not fit the WASM memory: outOfMemory naming the request, and the module still works', async () => {
  const r = await reader(46336);
  // 46,300 x 46,300 8-bit pixels = 1.996 GiB: within the core's limit (2 GiB - 1), beyond what the module can hold.
  assert.throws(() => r.pixels().planRegion(0, 46300, 0, 46300), (e) => {
    assert.ok(e instanceof LazydcmError, `a LazydcmError, not ${typeof e} ${String(e)}`);
    assert.equal(e.codeName, 'outOfMemory');
    assert.equal(e.code, 26);
    assert.match(e.message, /Pixels.planRegion: 2044\.\d MiB were asked for/);
    assert.equal(e.source, 'slide 46336');
    return true;
  });
  // The same reader and module go on: a small region plans and is assembled.
  const plan = r.pixels().planRegion(0, 300, 0, 300);
  assert.deepEqual([plan.rows, plan.columns, plan.frames.length], [300, 300, 4]);
  r.pixels().releaseRegion();
  r.delete();
  const again = await reader(1000);
  assert.equal(again.pixels().planRegion(0, 1000, 0, 1000).frames.length, 16);
  again.delete();
});

test('a region whose byte size would wrap a 32-bit size_t is valueTooLarge before the region is allocated', async () => {
  const core = await loadCore();
  const r = await reader(70000);
  const before = core.HEAPU8.length;
  assert.throws(() => r.pixels().planRegion(0, 70000, 0, 70000), (e) => {  // 4.9e9 bytes: 605 MB once wrapped
    assert.equal(e.codeName, 'valueTooLarge');
    assert.match(e.message, /70000 x 70000 pixels is 4900000000 bytes/);
    return true;
  });
  assert.ok(core.HEAPU8.length - before < 64 << 20, `the heap grew by ${core.HEAPU8.length - before} bytes`);  // the tile list only
  r.delete();
});

// A native 1-bit file of `n` 1 x 1 frames: n / 8 bytes of pixel data, frame i's bit = bit i of the
// pattern byte (i * 37) & 255 at i >> 3 (LSB first).
function manyFrames(n) {
  const px = new Uint8Array(Math.ceil(n / 8 / 2) * 2);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37) & 255;
  return writeDicom('1.2.840.10008.1.2.1', [
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'],
    [0x00280002, 'US', 1], [0x00280004, 'CS', 'MONOCHROME2'], [0x00280008, 'IS', String(n)],
    [0x00280010, 'US', 1], [0x00280011, 'US', 1], [0x00280100, 'US', 1],
    [0x00280101, 'US', 1], [0x00280102, 'US', 0], [0x00280103, 'US', 0],
    [0x7fe00010, 'OB', px],
  ]);
}

test('4,194,304 frames (the cap) cost a bounded number of bytes each; one more is valueTooLarge', async () => {
  const core = await loadCore();
  const n = 2 ** 22;
  const file = manyFrames(n);
  global.gc?.();
  const js = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const heapBefore = core.HEAPU8.length, jsBefore = js();
  const inst = await open(new MemorySource(file), { caches: false });
  assert.equal(inst.frameCount, n);
  // The core's frame_location array (32 bytes a frame) and the TypeScript table (21 bytes a frame).
  const wasmPerFrame = (core.HEAPU8.length - heapBefore) / n, jsPerFrame = (js() - jsBefore) / n;
  console.log(`frame index of ${n} frames: WASM +${wasmPerFrame.toFixed(1)} B/frame, JS +${jsPerFrame.toFixed(1)} B/frame`);
  assert.ok(wasmPerFrame <= 48, `WASM memory grew by ${wasmPerFrame} bytes a frame`);
  assert.ok(jsPerFrame <= 40, `JS memory grew by ${jsPerFrame} bytes a frame`);
  for (const i of [0, 1, 7, 8, 4_000_000, n - 1]) {
    const f = await inst.getStoredFrame(i, { asIndex: true });
    assert.equal(f.data[0], (((i >> 3) * 37) & 255) >> (i & 7) & 1, `frame ${i}`);
  }
  assert.deepEqual(inst.frameLocation(4_000_000), { offset: inst.frameLocation(0).offset + 500_000, length: 1, bitOffset: 0, hasItemHeaders: false, expectedLength: 0 });
  await inst.close();
  // With the shared caches, the frames of the first read seed the encoded cache: each entry is
  // counted with its overhead, so the entries stay within the budget (not 512 Ki entries of 1 byte).
  const caches = createFrameCaches({ encodedBytes: 32 << 20 });
  const seeded = await open(new MemorySource(file), { caches });
  assert.ok(caches.encoded.size > 1000 && caches.encoded.size <= (32 << 20) / 321, `${caches.encoded.size} entries`);
  assert.equal((await seeded.getStoredFrame(5, { asIndex: true })).data[0], (37 * 0) >> 5 & 1);
  await seeded.close();
  // One frame more than the cap: the header reads, the index is refused before it is built.
  const over = await open(new MemorySource(manyFrames(n + 8)));
  assert.equal(over.summary.frameIndexError?.name, 'valueTooLarge');
  await assert.rejects(over.getStoredFrame(1), (e) => e instanceof LazydcmError && e.codeName === 'valueTooLarge');
  await over.close();
});
