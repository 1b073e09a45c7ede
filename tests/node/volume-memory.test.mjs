// Peak memory of a volume read: the WASM heap holds a slice at a time, not the volume (the volume
// lives once, in JavaScript). Own file: node --test gives it its own process, so the heap's size
// before the read is the module's start, not what earlier tests left. Values against the formula
// the files were written with.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MemorySource, openSeries } from '../../web/dist/index.js';
import { loadCore } from '../../web/dist/wasm/load.js';
import { writeDicom } from './lib/write-dicom.mjs';

const [S, R, C] = [48, 512, 512];
/** Stored value of voxel (s, r, c); HU = stored - 1024. */
const stored = (s, r, c) => (s * 97 + r * 3 + c) % 3000;

function ctSlice(s) {
  const px = new Uint16Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) px[r * C + c] = stored(s, r, c);
  return writeDicom('1.2.840.10008.1.2.1', [
    [0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'], [0x00080018, 'UI', `1.2.3.4.${s + 1}`], [0x00080060, 'CS', 'CT'],
    [0x0020000e, 'UI', '1.2.3.4'], [0x00200032, 'DS', ['-100', '-120', String(-50 + 1.25 * s)]],
    [0x00200037, 'DS', ['1', '0', '0', '0', '1', '0']], [0x00200052, 'UI', '1.2.3.5'],
    [0x00280002, 'US', 1], [0x00280004, 'CS', 'MONOCHROME2'], [0x00280010, 'US', R], [0x00280011, 'US', C],
    [0x00280030, 'DS', ['0.5', '0.5']], [0x00280100, 'US', 16], [0x00280101, 'US', 16], [0x00280102, 'US', 15],
    [0x00280103, 'US', 0], [0x00281052, 'DS', '-1024'], [0x00281053, 'DS', '1'],
    [0x7fe00010, 'OW', new Uint8Array(px.buffer)],
  ]);
}

test('a 48 x 512 x 512 float64 volume (100 MB) grows the WASM heap by a few slices, not by the volume; values as written', async () => {
  const files = Array.from({ length: S }, (_, s) => new MemorySource(ctSlice(s), `slice${s}.dcm`));
  const series = await openSeries(files, { caches: false });
  const core = await loadCore();
  const before = core.HEAPU8.length;
  const v = await series.getVolume({ concurrency: 2 });
  const grown = core.HEAPU8.length - before;
  const volumeBytes = S * R * C * 8, sliceBytes = R * C * 8;
  assert.equal(v.data.byteLength, volumeBytes);
  // Bounded by the instances read at once (their decode buffers) and the staging slice, not by S.
  console.log(`# WASM heap grew by ${grown} bytes (${(grown / sliceBytes).toFixed(1)} float64 slices) for ${S} slices`);
  assert.ok(grown <= 6 * sliceBytes, `the WASM heap grew by ${grown} bytes for a ${volumeBytes}-byte volume`);
  // Slice k is file S - 1 - k: the slice axis runs from the highest z down (hand-computed affine).
  assert.deepEqual(v.affine, [[0, 0, 0.5, -100], [0, 0.5, 0, -120], [-1.25, 0, 0, -50 + 1.25 * (S - 1)], [0, 0, 0, 1]]);
  for (const k of [0, 17, S - 1]) {
    for (let r = 0; r < R; r += 31) for (let c = 0; c < C; c += 7) {
      assert.equal(v.data[(k * R + r) * C + c], stored(S - 1 - k, r, c) - 1024, `voxel ${k} ${r} ${c}`);
    }
  }
  await series.close();
});
