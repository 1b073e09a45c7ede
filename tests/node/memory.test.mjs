// Memory bounds at the WASM boundary: a request within the core's limits that does not fit the
// module's 2 GiB is a LazydcmError outOfMemory naming what was asked (not a bare C++ exception),
// one past the limits is valueTooLarge before the region is allocated (on wasm32 a size_t product would
// wrap), and the module keeps working afterwards. Own file: node --test gives it its own process.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LazydcmError } from '../../web/dist/index.js';
import { loadCore } from '../../web/dist/wasm/load.js';

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

function reader(core, side) {
  const r = core.Reader.fromMetadata(JSON.stringify(tiledMetadata(side)), '1.2.840.10008.1.2.1');
  assert.equal(r.step(), 0, r.errorJson());
  return r;
}

test('a region that does not fit the WASM memory: outOfMemory naming the request, and the module still works', async () => {
  const core = await loadCore();
  const r = reader(core, 46336);
  // 46,300 x 46,300 8-bit pixels = 1.996 GiB: within the core's limit (2 GiB - 1), beyond what the module can hold.
  assert.throws(() => r.planRegion(0, 46300, 0, 46300, -1, -1), (e) => {
    assert.ok(e instanceof LazydcmError, `a LazydcmError, not ${typeof e} ${String(e)}`);
    assert.equal(e.codeName, 'outOfMemory');
    assert.equal(e.code, 26);
    assert.match(e.message, /Reader.planRegion: 2044\.\d MiB were asked for/);
    return true;
  });
  // The same reader and module go on: a small region plans and is assembled.
  const plan = JSON.parse(r.planRegion(0, 300, 0, 300, -1, -1));
  assert.deepEqual([plan.rows, plan.columns, plan.frames.length], [300, 300, 4]);
  r.releaseRegion();
  r.delete();
  const again = reader(core, 1000);
  assert.equal(JSON.parse(again.planRegion(0, 1000, 0, 1000, -1, -1)).frames.length, 16);
  again.delete();
});

test('a region whose byte size would wrap a 32-bit size_t is valueTooLarge before the region is allocated', async () => {
  const core = await loadCore();
  const r = reader(core, 70000);
  const before = core.HEAPU8.length;
  const out = JSON.parse(r.planRegion(0, 70000, 0, 70000, -1, -1));  // 4.9e9 bytes: 605 MB once wrapped
  assert.equal(out.error?.name, 'value_too_large', JSON.stringify(out));
  assert.match(out.error.message, /70000 x 70000 pixels is 4900000000 bytes/);
  assert.ok(core.HEAPU8.length - before < 64 << 20, `the heap grew by ${core.HEAPU8.length - before} bytes`);  // the tile list only
  r.delete();
});
