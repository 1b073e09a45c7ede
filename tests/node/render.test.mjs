// The render helpers that need no GPU: window/level, RGBA conversion, colour tables, MPR geometry.
// Expected values are worked out by hand in the comments.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { EIGHT_BIT, fullRangeWindow, invertAffine, labelColourTable, planeGeometry, toRgba, windowFunction, LazydcmError } from '../../web/dist/index.js';

describe('window/level (DICOM LINEAR, PS3.3 C.11.2.1.2.1)', () => {
  test('centre 40, width 400: black at or below -160, white above 239, linear between', () => {
    const f = windowFunction({ center: 40, width: 400 });
    // lo = c - 0.5 - (w-1)/2 = 40 - 0.5 - 199.5 = -160; hi = 40 - 0.5 + 199.5 = 239
    assert.equal(f(-160), 0);
    assert.equal(f(-1000), 0);
    assert.equal(f(240), 255);
    assert.equal(f(239), ((239 - 39.5) / 399 + 0.5) * 255);   // = 255 exactly
    assert.equal(f(39.5), 127.5);                              // the centre maps to mid-grey
    assert.equal(f(0), ((0 - 39.5) / 399 + 0.5) * 255);
  });

  test('width 1 is a threshold; width below 1 is an error', () => {
    const f = windowFunction({ center: 10, width: 1 });
    assert.equal(f(9.5), 0);
    assert.equal(f(9.6), 255);
    assert.throws(() => windowFunction({ center: 0, width: 0.5 }), LazydcmError);
  });

  test('EIGHT_BIT shows 8-bit values unchanged', () => {
    const values = Uint8Array.from({ length: 256 }, (_, i) => i);
    const rgba = toRgba({ data: values, rows: 1, columns: 256, samplesPerPixel: 1 }, { window: EIGHT_BIT });
    for (let x = 0; x < 256; x++) assert.equal(rgba[4 * x], x);   // ((x - 127.5) / 255 + 0.5) * 255 = x, rounded
  });

  test('the full-range window maps the minimum to black and the maximum to white', () => {
    const w = fullRangeWindow([-1024, 3071, 0]);
    const f = windowFunction(w);
    assert.equal(f(-1024), 0);
    assert.equal(f(3071), 255);
  });
});

describe('toRgba', () => {
  test('greyscale through a window, RGB copied, alpha 255, invert', () => {
    const grey = toRgba({ data: Int16Array.from([-200, 40, 300, -160]), rows: 2, columns: 2, samplesPerPixel: 1 }, { window: { center: 40, width: 400 } });
    // -200 -> 0; 40 -> (0.5/399 + 0.5) * 255 = 128.32 -> 128 (clamped array rounds); 300 -> 255; -160 -> 0
    assert.deepEqual([...grey], [0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 0, 0, 0, 255]);
    const rgb = toRgba({ data: Uint8Array.from([1, 2, 3, 250, 251, 252]), rows: 1, columns: 2, samplesPerPixel: 3 }, { invert: true });
    assert.deepEqual([...rgb], [254, 253, 252, 255, 5, 4, 3, 255]);
  });

  test('short data and odd samples are errors, not garbage', () => {
    assert.throws(() => toRgba({ data: new Uint8Array(5), rows: 2, columns: 2, samplesPerPixel: 3 }), /5 values for 2 x 2 x 3/);
    assert.throws(() => toRgba({ data: new Uint8Array(8), rows: 2, columns: 2, samplesPerPixel: 2 }), /samples/);
  });
});

test('labelColourTable: recommended colours, a palette for segments without, hidden ones transparent', () => {
  const lut = labelColourTable([{ number: 1, rgb: [10, 20, 30] }, { number: 3, rgb: null }], [1]);
  assert.equal(lut.length, 16);
  assert.deepEqual([...lut.subarray(0, 4)], [0, 0, 0, 0]);      // background
  assert.deepEqual([...lut.subarray(4, 8)], [10, 20, 30, 0]);   // hidden
  assert.deepEqual([...lut.subarray(8, 12)], [0, 0, 0, 0]);     // no segment 2
  assert.equal(lut[15], 255);
});

describe('MPR plane geometry', () => {
  // The demo CT: 48 slices x 128 x 128, columns along +X and rows along +Y at 1.5 mm, slices 3 mm
  // towards -Z (slice 0 superior), voxel (0, 0, 0) at (-96, -96, 100).
  const shape = [48, 128, 128];
  const affine = [[0, 0, 1.5, -96], [0, 1.5, 0, -96], [-3, 0, 0, 100], [0, 0, 0, 1]];

  test('axial: 192 mm into 384 pixels is 0.5 mm per pixel; pixel (1, 1) is the centre of voxel (k, 0, 0)', () => {
    const g = planeGeometry(shape, affine, 'axial', 20, 384, 384);
    assert.equal(g.axis, 0);
    assert.equal(g.slices, 48);
    assert.equal(g.mmPerPixel, 0.5);
    assert.deepEqual(g.right, [0.5, 0, 0]);
    assert.deepEqual(g.down, [0, 0.5, 0]);
    // x of pixel 0: centre -0.75 (voxel corners -96.75 .. 95.25) minus 191.5 pixels = -96.5; z of slice 20 = 100 - 60.
    assert.deepEqual(g.origin, [-96.5, -96.5, 40]);
  });

  test('coronal: superior at the top, the 144 mm of slices centred in 384 pixels', () => {
    const g = planeGeometry(shape, affine, 'coronal', 70, 384, 384);
    assert.equal(g.axis, 1);
    assert.deepEqual(g.down, [0, 0, -0.5]);
    // d = -z runs -101.5 .. 42.5 (centre -29.5); pixel 0 at -29.5 - 191.5 * 0.5 = -125.25, i.e. z = 125.25;
    // y through row 70: -96 + 105 = 9.
    assert.deepEqual(g.origin, [-96.5, 9, 125.25]);
  });

  test('sagittal: anterior on the left (right = +Y), through column 50', () => {
    const g = planeGeometry(shape, affine, 'sagittal', 50, 384, 384);
    assert.equal(g.axis, 2);
    assert.deepEqual(g.right, [0, 0.5, 0]);
    assert.deepEqual(g.origin, [-21, -96.5, 125.25]);
  });

  test('invertAffine undoes the affine; a slice out of range is an error', () => {
    const inv = invertAffine(affine);
    const p = [-96 + 1.5 * 7, -96 + 1.5 * 5, 100 - 3 * 2];  // voxel (2, 5, 7)
    const v = [0, 1, 2].map((r) => inv[r][0] * p[0] + inv[r][1] * p[1] + inv[r][2] * p[2] + inv[r][3]);
    assert.deepEqual(v.map((x) => Math.round(x * 1e9) / 1e9), [2, 5, 7]);
    assert.throws(() => planeGeometry(shape, affine, 'axial', 48, 10, 10), /slice 48 of 48/);
    assert.throws(() => invertAffine([[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]), /singular/);
  });
});
