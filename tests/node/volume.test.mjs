// Volumes and segmentations on the built WASM against the generator's parameters and masks
// (build/fixtures/volume.json, tests/fixtures/volume_fixtures.py): affines computed from the
// generator's rotation, spacing and origin, HU values and masks it wrote, the reasons bad series
// are not volumes, `lazydcm volume` / `lazydcm seg`, and what a remote segment read fetches
// (a real nginx's request log).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { cielabToRgb, createFrameCaches, ErrorCode, LazydcmError, open, openSegmentation, openSeries } from '../../web/dist/index.js';
import { copies } from '../../web/dist/wasm/core.js';
import { startNginx } from '../../scripts/lib/nginx.mjs';
import { readNpy } from './lib/npy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');
const manifest = JSON.parse(fs.readFileSync(path.join(fixtures, 'volume.json'), 'utf8'));
const ct = manifest.ct;
const cli = path.join(root, 'web/dist/cli/main.js');
const run = promisify(execFile);
const [S, R, C] = ct.shape;
const hu = new Float64Array(readNpy(ct.hu).bytes.slice().buffer);

function assertAffine(got, want, label = 'affine') {
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) assert.ok(Math.abs(got[r][c] - want[r][c]) < 1e-6, `${label}[${r}][${c}] ${got[r][c]} != ${want[r][c]}`);
  }
}

/** The generator's HU values of [s0,s1) x [r0,r1) x [c0,c1), by plain loops. */
function huBox(s0, s1, r0, r1, c0, c1) {
  const out = [];
  for (let s = s0; s < s1; s++) for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out.push(hu[(s * R + r) * C + c]);
  return Float64Array.from(out);
}

/** voxel -> LPS with the generator's affine. */
const place = (a, s, r, c) => [0, 1, 2].map((k) => a[k][0] * s + a[k][1] * r + a[k][2] * c + a[k][3]);

describe('volumes', () => {
  test('progressive: the first slice asked for is filled first, then outward, each handed over with the generator\'s values', async () => {
    for (const [label, src] of [['series of single frames', ct.series], ['enhanced multi-frame', [ct.enhanced]]]) {
      const series = await openSeries(src);
      const order = [];
      const v = await series.getVolume({ dtype: 'float32', firstSlice: 5, concurrency: 1, onSlice: (k, values) => {
        order.push(k);
        assert.equal(values.length, R * C);
        assert.deepEqual(Array.from(values), Array.from(Float32Array.from(huBox(k, k + 1, 0, R, 0, C))), `${label}: slice ${k}`);
      } });
      assert.equal(order[0], 5, `${label}: ${order}`);
      assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: S }, (_, k) => k), `${label}: every slice once`);
      // Nearest first: the distance from slice 5 never decreases along the order.
      for (let i = 1; i < order.length; i++) assert.ok(Math.abs(order[i] - 5) >= Math.abs(order[i - 1] - 5), `${label}: ${order}`);
      assert.deepEqual(Array.from(v.data), Array.from(Float32Array.from(hu)));
      await series.close();
    }
  });

  test('enhanced multi-frame CT (frames shuffled): HU values and the hand-computed affine', async () => {
    const inst = await open(ct.enhanced);
    const v = await inst.getVolume();
    assert.deepEqual(v.shape, [S, R, C]);
    assert.equal(v.dtype, 'float64');
    assert.deepEqual(Array.from(v.data), Array.from(hu));
    assertAffine(v.affine, ct.affine);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(v.spacing[k] - ct.spacing[k]) < 1e-6);
    for (let axis = 0; axis < 3; axis++) {
      for (let k = 0; k < 3; k++) assert.ok(Math.abs(v.direction[k][axis] - ct.direction[axis][k]) < 1e-6, 'direction columns are the axes');
    }
    const p = v.voxelToPatient(7, 22, 20);
    const want = place(ct.affine, 7, 22, 20);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(p[k] - want[k]) < 1e-6);
    const back = v.patientToVoxel(...want);
    assert.ok(Math.abs(back[0] - 7) < 1e-6 && Math.abs(back[1] - 22) < 1e-6 && Math.abs(back[2] - 20) < 1e-6);
    await inst.close();
  });

  test('a sub-volume fetches only its slices\' frames; 1-based selection with exclusive ends by default', async () => {
    const inst = await open(ct.enhanced, { firstRead: 2048, minRead: 256 });
    const before = inst.stats.bytes;
    const frameBytes = R * C * 2;
    // Slices 3..4 (1-based, end exclusive 5), rows 2..10, columns from the 5th to the last.
    const v = await inst.getVolume({ sliceStart: 3, sliceEnd: 5, rowStart: 2, rowEnd: 11, columnStart: 5, maxGap: 0, dtype: 'float32' });
    assert.equal(inst.stats.bytes - before, 2 * frameBytes, 'two frames read');
    assert.deepEqual(v.shape, [2, 9, C - 4]);
    assert.ok(v.data instanceof Float32Array);
    assert.deepEqual(Array.from(v.data), Array.from(huBox(2, 4, 1, 10, 4, C)));
    assertAffine(v.affine, ct.affine.map((row, r) => (r < 3 ? [row[0], row[1], row[2], place(ct.affine, 2, 1, 4)[r]] : row)));
    // The same box cut from the full volume with subVolume (0-based form).
    const full = await inst.getVolume();
    const sub = full.subVolume({ sliceStart: 2, sliceEnd: 4, rowStart: 1, rowEnd: 10, columnStart: 4, asIndices: true });
    assert.deepEqual(Array.from(sub.data), Array.from(huBox(2, 4, 1, 10, 4, C)));
    assertAffine(sub.affine, v.affine);
    await assert.rejects(inst.getVolume({ sliceStart: 0 }), (e) => e instanceof LazydcmError && e.code === ErrorCode.invalidArgument);
    await assert.rejects(inst.getVolume({ sliceEnd: S + 2 }), (e) => e.code === ErrorCode.invalidArgument);
    await inst.close();
  });

  test('a series of single-frame instances in shuffled order: the same volume and affine', async () => {
    const series = await openSeries(ct.series);
    const v = await series.getVolume();
    assert.deepEqual(Array.from(v.data), Array.from(hu));
    assertAffine(v.affine, ct.affine);
    const sorted = await series.sorted();
    const slice0 = await sorted[0].getFrame(1);
    assert.deepEqual(Array.from(slice0.data), Array.from(huBox(0, 1, 0, R, 0, C)));
    const part = await series.getVolume({ sliceStart: -3 });  // the last three slices
    assert.deepEqual(Array.from(part.data), Array.from(huBox(S - 3, S, 0, R, 0, C)));
    await series.close();
  });

  test('volumes: one copy in per frame (its encoded bytes), one copy out per slice (its values, straight to its place)', async () => {
    for (const [label, openIt] of [['series', () => openSeries(ct.series, { caches: false })], ['multi-frame', () => open(ct.enhanced, { caches: false })]]) {
      const src = await openIt();
      copies.reset();
      const v = await src.getVolume({ dtype: 'float32' });
      assert.deepEqual(Array.from(v.data), Array.from(Float32Array.from(hu)), label);
      assert.equal(copies.in, S, `${label}: frames copied in`);
      assert.equal(copies.out, S, `${label}: copies out`);
      assert.equal(copies.outBytes, S * R * C * 4, `${label}: only the float32 volume comes out`);
      await src.close();
    }
  });

  test('reduced resolution: every 2nd slice read, 2 x 2 block means, the affine hand-computed; maxBytes picks the reduction', async () => {
    const mean = (s, r, c, f) => {
      let sum = 0;
      for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) sum += hu[(s * R + r * f + dy) * C + c * f + dx];
      return sum / (f * f);
    };
    for (const [label, openIt] of [['series', () => openSeries(ct.series, { caches: false })], ['multi-frame', () => open(ct.enhanced, { caches: false })]]) {
      const src = await openIt();
      copies.reset();
      const order = [];
      const v = await src.getVolume({ downsample: { slices: 2, inPlane: 2 }, firstSlice: 2, onSlice: (k) => order.push(k) });
      const [s2, r2, c2] = [Math.ceil(S / 2), Math.floor(R / 2), Math.floor(C / 2)];
      assert.deepEqual(v.shape, [s2, r2, c2], label);
      assert.deepEqual(v.downsample, { slices: 2, inPlane: 2 });
      assert.equal(copies.in, s2, `${label}: only the kept slices' frames are read`);
      assert.equal(order[0], 2, `${label}: firstSlice in the reduced volume's indices`);
      for (let k = 0; k < s2; k++) for (let y = 0; y < r2; y++) for (let x = 0; x < c2; x++) {
        const got = v.data[(k * r2 + y) * c2 + x], want = mean(2 * k, y, x, 2);
        assert.ok(Math.abs(got - want) < 1e-9, `${label}: voxel ${k} ${y} ${x}: ${got} vs ${want}`);
      }
      // Axes twice as long; voxel (0, 0, 0) is the centre of the first 2 x 2 block of slice 0.
      assertAffine(v.affine, ct.affine.map((row, r) => (r < 3 ? [2 * row[0], 2 * row[1], 2 * row[2], place(ct.affine, 0, 0.5, 0.5)[r]] : row)), label);
      await src.close();
    }
    // The budget: the full float32 volume fits exactly; a byte less halves the finer spacing first
    // (in-plane 0.7 x 0.9 mm against 2.5 mm slices), then again while it does not fit.
    const series = await openSeries(ct.series);
    const full = S * R * C * 4;
    const fits = await series.getVolume({ dtype: 'float32', maxBytes: full });
    assert.equal(fits.downsample, undefined);
    assert.deepEqual(Array.from(fits.data), Array.from(Float32Array.from(hu)));
    const less = await series.getVolume({ dtype: 'float32', maxBytes: full - 1 });
    assert.deepEqual(less.downsample, { slices: 1, inPlane: 2 });
    assert.deepEqual(less.shape, [S, Math.floor(R / 2), Math.floor(C / 2)]);
    const small = await series.getVolume({ dtype: 'float32', maxBytes: 1000 });
    assert.deepEqual(small.downsample, { slices: 1, inPlane: 4 }, 'in-plane again: 1.8 mm is still finer than 2.5 mm');
    assert.ok(small.data.byteLength <= 1000);
    await assert.rejects(series.getVolume({ maxBytes: 4 }), (e) => e.code === ErrorCode.valueTooLarge);
    await assert.rejects(series.getVolume({ downsample: { slices: 0 } }), (e) => e.code === ErrorCode.invalidArgument);
    await series.close();
  });

  test('integer volumes: int16 holds the HU values in 2 bytes a voxel; values out of the type\'s range are invalidValue', async () => {
    for (const [label, openIt] of [['series', () => openSeries(ct.series)], ['multi-frame', () => open(ct.enhanced)]]) {
      const src = await openIt();
      let started = null;
      const views = [];
      const v = await src.getVolume({ dtype: 'int16', onStart: (vol) => { started = vol; }, onSlice: (k, values) => views.push(values) });
      assert.ok(v.data instanceof Int16Array, label);
      assert.equal(v.dtype, 'int16');
      assert.deepEqual(Array.from(v.data), Array.from(hu), label);
      assert.equal(started, v, `${label}: onStart hands over the volume being filled`);
      assert.ok(views.every((x) => x.buffer === v.data.buffer), `${label}: onSlice values are views of the volume (no copy)`);
      await assert.rejects(src.getVolume({ dtype: 'uint8' }), (e) => e.code === ErrorCode.invalidValue && /is not a uint8/.test(e.message), label);
      await src.close();
    }
  });

  test('a volume read bigger than half of the frame caches leaves them alone; a small one is cached (a second read is free)', async () => {
    const frameBytes = R * C * 2;  // 16-bit stored, uncompressed
    for (const [label, openIt] of [['series', (caches) => openSeries(ct.series, { caches })], ['multi-frame', (caches) => open(ct.enhanced, { caches })]]) {
      // Budgets just under twice the volume's frames: not cached (caches hold only what the header reads left).
      const small = createFrameCaches({ encodedBytes: 2 * S * frameBytes - 1, decodedBytes: 2 * S * frameBytes - 1 });
      let src = await openIt(small);
      const seeded = { encoded: small.encoded.bytes, decoded: small.decoded.bytes };
      const v = await src.getVolume({ dtype: 'float32' });
      assert.deepEqual(Array.from(v.data), Array.from(Float32Array.from(hu)), label);
      assert.deepEqual({ encoded: small.encoded.bytes, decoded: small.decoded.bytes }, seeded, `${label}: no frame of the read cached`);
      await src.close();
      // Twice the volume's frames (plus entry overheads): cached, and a second read decodes nothing.
      const big = createFrameCaches({ encodedBytes: 4 * S * frameBytes, decodedBytes: 4 * S * frameBytes });
      src = await openIt(big);
      await src.getVolume({ dtype: 'float32' });
      assert.ok(big.decoded.bytes >= S * frameBytes, `${label}: ${big.decoded.bytes} bytes of decoded frames`);
      const { cacheHits, requests } = src.stats;
      const again = await src.getVolume({ dtype: 'float32' });
      assert.equal(src.stats.cacheHits - cacheHits, S, `${label}: every frame from the decoded cache`);
      assert.equal(src.stats.requests - requests, 0, `${label}: nothing read`);
      assert.deepEqual(Array.from(again.data), Array.from(Float32Array.from(hu)), label);
      // Asked for: cache false is obeyed whatever the budget.
      const third = createFrameCaches({ encodedBytes: 4 * S * frameBytes, decodedBytes: 4 * S * frameBytes });
      await src.close();
      src = await openIt(third);
      const before = third.decoded.bytes;
      await src.getVolume({ cache: false });
      assert.equal(third.decoded.bytes, before, `${label}: cache: false`);
      await src.close();
    }
  });

  test('series that are not volumes: code notAVolume and the reason', async () => {
    for (const [name, b] of Object.entries(manifest.bad)) {
      const series = await openSeries(b.files);
      await assert.rejects(series.getVolume(), (e) => {
        assert.ok(e instanceof LazydcmError, name);
        assert.equal(e.code, ErrorCode.notAVolume, name);
        assert.ok(e.message.includes(b.why), `${name}: ${e.message}`);
        return true;
      });
      await series.close();
    }
    for (const [name, b] of Object.entries(manifest.bad_enhanced)) {
      const inst = await open(b.file);
      await assert.rejects(inst.getVolume(), (e) => e.code === ErrorCode.notAVolume && e.message.includes(b.why), name);
      await inst.close();
    }
    // Gaps are allowed when asked for: empty slices.
    const gap = await openSeries(manifest.bad.bad_gap.files);
    const v = await gap.getVolume({ allowMissingPositions: true });
    assert.equal(v.shape[0], S + 1);
    assert.ok(v.data.subarray(5 * R * C, 6 * R * C).every((x) => x === 0), 'the missing slice is empty');
    assert.deepEqual(Array.from(v.data.subarray(6 * R * C)), Array.from(huBox(5, S, 0, R, 0, C)));
    await gap.close();
  });

  test('lazydcm volume on a directory prints the affine and writes the HU volume', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazydcm-v-'));
    for (const f of ct.series) fs.copyFileSync(f, path.join(dir, path.basename(f)));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not DICOM: skipped when listing a directory\n');
    const out = path.join(dir, 'v.npy');
    const { stdout, stderr } = await run(process.execPath, [cli, 'volume', dir, '--out', out, '--stats']);
    const j = JSON.parse(stdout);
    assert.deepEqual(j.shape, [S, R, C]);
    assertAffine(j.affine, ct.affine);
    assert.equal(JSON.parse(stderr.trim().split('\n').pop()).requests >= ct.series.length, true);
    const got = readNpy(path.join(dir, 'v.npy'));
    assert.equal(got.descr, '<f8');
    assert.deepEqual(got.shape, [S, R, C]);
    assert.deepEqual(Array.from(new Float64Array(got.bytes.slice().buffer)), Array.from(hu));
    const listed = await openSeries(dir);
    assert.deepEqual(listed.skipped.map((x) => path.basename(x.source)).sort(), ['notes.txt', 'v.npy']);
    await listed.close();
    const bad = await run(process.execPath, [cli, 'volume', ...manifest.bad.bad_gap.files]).catch((e) => e);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /notAVolume \(code 21\): not a volume: irregular spacing/);
  });
});

describe('segmentations', () => {
  const segs = manifest.segs;
  const mask = (file) => readNpy(file).bytes;

  test('segments, lookup and the recommended colours', async () => {
    const seg = await openSegmentation(segs.binary.file);
    assert.equal(seg.type, 'BINARY');
    assert.deepEqual(seg.segments.map((s) => s.label), segs.binary.segments.map((s) => s.label));
    assert.deepEqual(seg.getSegmentNumbers({ label: 'Liver' }), [1]);
    assert.deepEqual(seg.getSegmentNumbers({ propertyType: 'Kidney' }), [3]);
    assert.deepEqual(seg.getSegmentNumbers({ propertyType: '78961009' }), [2]);
    assert.deepEqual(seg.getSegmentNumbers({ propertyCategory: 'Anatomical Structure', algorithmType: 'MANUAL' }), [1, 3]);
    assert.deepEqual(seg.getSegmentNumbers({ label: 'liver' }), []);
    assert.equal(seg.segment(2).trackingId, 'track-Spleen');
    assert.equal(seg.segment(1).rgb.length, 3);
    await seg.close();
    await assert.rejects(openSegmentation(ct.enhanced), (e) => e instanceof LazydcmError && /Segmentation Type/.test(e.message));
  });

  test('recommended display colours: DICOM-scaled CIELab to sRGB', () => {
    // PS3.3 C.10.7.1.1 scaling of L* 0..100 and a*, b* -128..127 to 0..65535; reference values
    // from the CIE formulas with D65: white, black, and sRGB red = L*a*b* (53.24, 80.09, 67.20).
    const scale = (L, a, b) => [L / 100 * 65535, (a + 128) / 255 * 65535, (b + 128) / 255 * 65535].map(Math.round);
    assert.deepEqual(cielabToRgb(scale(100, 0, 0)), [255, 255, 255]);
    assert.deepEqual(cielabToRgb(scale(0, 0, 0)), [0, 0, 0]);
    assert.deepEqual(cielabToRgb(scale(53.24, 80.09, 67.2)), [255, 0, 0]);
    assert.deepEqual(cielabToRgb(scale(87.73, -86.18, 83.18)), [0, 255, 0]);
  });

  test('binary SEG on the CT grid: a label volume equal to the generator\'s masks', async () => {
    const inst = await open(ct.enhanced);
    const image = await inst.getVolume();
    const seg = await openSegmentation(segs.binary.file);
    const v = await seg.getVolume({ combineSegments: true, reference: image });
    assert.deepEqual(v.shape, [S, R, C]);
    assert.equal(v.dtype, 'uint8');
    assertAffine(v.affine, ct.affine);
    const [liver, spleen, kidney] = ['1', '2', '3'].map((n) => mask(segs.binary.masks[n]));
    const want = liver.map((x, i) => x + 2 * spleen[i] + 3 * kidney[i]);
    assert.deepEqual(Array.from(v.data), Array.from(want));
    // The SEG's own grid: from its first slice with a frame, one channel per segment.
    const own = await seg.getVolume({ segmentNumbers: [3, 1] });
    const first = segs.binary.first_slice, n = segs.binary.last_slice - first + 1;
    assert.deepEqual(own.shape, [n, R, C, 2]);
    assert.deepEqual(own.channels, [3, 1]);
    const offset = first * R * C;
    for (let i = 0; i < n * R * C; i++) {
      if (own.data[2 * i] !== kidney[offset + i] || own.data[2 * i + 1] !== liver[offset + i]) assert.fail(`voxel ${i}`);
    }
    assertAffine(own.affine, ct.affine.map((row, r) => (r < 3 ? [row[0], row[1], row[2], place(ct.affine, first, 0, 0)[r]] : row)));
    await seg.close();
    await inst.close();
  });

  test('fractional, labelmap and overlapping SEGs', async () => {
    const frac = await openSegmentation(segs.fractional.file);
    assert.equal(frac.maxFractionalValue, 255);
    const f = await frac.getVolume({ segmentNumbers: [1], reference: await (await openSeries(ct.series)).volumeGeometry() });
    assert.ok(f.data instanceof Float32Array);
    assert.deepEqual(f.shape, [S, R, C, 1]);
    assert.deepEqual(Array.from(f.data), Array.from(new Float32Array(readNpy(segs.fractional.fractional['1']).bytes.slice().buffer)));
    await assert.rejects(frac.getVolume({ combineSegments: true }), (e) => e.code === ErrorCode.segmentOverlap);
    await frac.close();

    const lm = await openSegmentation(segs.labelmap.file);
    assert.equal(lm.type, 'LABELMAP');
    const l = await lm.getVolume({ combineSegments: true, relabel: true, segmentNumbers: [2] });
    assert.deepEqual(Array.from(l.data), Array.from(mask(segs.labelmap.masks['2'])));
    await lm.close();

    const over = await openSegmentation(segs.overlap.file);
    await assert.rejects(over.getVolume({ combineSegments: true }), (e) => e.code === ErrorCode.segmentOverlap && /labels 1 and 2/.test(e.message));
    const ok = await over.getVolume({ combineSegments: true, skipOverlapChecks: true });
    assert.ok(ok.data.includes(2));
    await over.close();
  });

  test('lazydcm seg --label writes the chosen segment on the source grid', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazydcm-s-'));
    const out = path.join(dir, 'liver.npy');
    const { stdout } = await run(process.execPath, [cli, 'seg', segs.binary.file, '--label', 'Liver', '--combine', '--out', out,
      '--reference', ...ct.series]);
    const j = JSON.parse(stdout);
    assert.deepEqual(j.segments.map((s) => s.label), ['Liver']);
    assertAffine(j.affine, ct.affine);
    const got = readNpy(out);
    assert.deepEqual(got.shape, [S, R, C]);
    assert.deepEqual(Array.from(got.bytes), Array.from(mask(segs.binary.masks['1'])));
    const listed = JSON.parse((await run(process.execPath, [cli, 'seg', segs.many.file])).stdout);
    assert.equal(listed.segments.length, 100);
    const bad = await run(process.execPath, [cli, 'seg', segs.binary.file, '--label', 'Heart', '--out', out]).catch((e) => e);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no segment labelled 'Heart'/);
  });
});

describe('a remote SEG with 100 segments', () => {
  let server;
  before(async () => { server = await startNginx(fixtures); });
  after(async () => { await server?.stop(); });

  test('one segment costs its one frame (request log)', async () => {
    const name = path.relative(fixtures, manifest.segs.many.file);
    // No frame cache: frames in the bytes the open read would cost nothing (tested in conformance).
    const seg = await openSegmentation(`${server.url}/${name}`, { firstRead: 4096, caches: false });
    server.clearLog();
    const [n] = seg.getSegmentNumbers({ label: 'Region 042' });
    const v = await seg.getVolume({ segmentNumbers: [n], combineSegments: true });
    const log = await server.logSettled();
    const frame = seg.instance.frames[n - 1];
    assert.equal(log.length, 1);
    assert.equal(log[0].bytes, frame.length, 'exactly the frame\'s bytes');
    assert.equal(v.data.reduce((a, b) => a + b, 0), 9 * n, 'a 3 x 3 square labelled 42');
    await seg.close();
  });

  test('an overlay reads only the frames of the ticked segments on the slices shown: labels as the generator drew them', async () => {
    const name = path.relative(fixtures, manifest.segs.many.file);
    const seg = await openSegmentation(`${server.url}/${name}`, { firstRead: 4096, caches: false });
    assert.equal(seg.segments.length, 100);
    assert.equal(seg.instance.stats.cacheMisses, 0, 'the segment list comes from the header alone');
    const reference = await (await openSeries(ct.series)).volumeGeometry();
    const overlay = seg.overlay({ reference, segmentNumbers: [3, 11, 12, 50] });
    // The generator put segment n on slice n % 8 (ct grid), as a 3 x 3 square of its own.
    const masks = Object.fromEntries([3, 11, 12, 50].map((n) => [n, readNpy(manifest.segs.many.masks[String(n)]).bytes]));
    const expected = (k, ticked) => {
      const out = new Uint8Array(R * C);
      for (const n of ticked) for (let i = 0; i < R * C; i++) if (masks[n][k * R * C + i]) out[i] = n;
      return out;
    };
    const read = () => seg.instance.stats.cacheMisses;
    for (const [k, framesOnSlice] of [[3, 2], [4, 1], [0, 0], [2, 1]]) {  // 3: segments 3 and 11; 4: 12; 0: none; 2: 50
      const before = read();
      const s = await overlay.slice(k);
      assert.equal(read() - before, framesOnSlice, `slice ${k}: ticked segments x this slice`);
      assert.deepEqual([s.rows, s.columns], [R, C]);
      assert.deepEqual(Array.from(s.data), Array.from(expected(k, [3, 11, 12, 50])), `slice ${k}`);
      // The slab's affine is the CT's, moved to slice k.
      for (let a = 0; a < 3; a++) assert.ok(Math.abs(s.affine[a][3] - (ct.affine[a][3] + k * ct.affine[a][0])) < 1e-6);
    }
    // Untick 11: slice 3 again reads segment 3's frame only (no frame cache here), and shows it alone.
    overlay.segmentNumbers = [3, 12, 50];
    const before = read();
    const s3 = await overlay.slice(3);
    assert.equal(read() - before, 1);
    assert.deepEqual(Array.from(s3.data), Array.from(expected(3, [3])));
    // Nothing ticked: no read, an empty slice of the grid's size.
    overlay.segmentNumbers = [];
    const empty = await overlay.slice(5);
    assert.equal(read() - before, 1);
    assert.equal(empty.data.length, R * C);
    assert.ok(empty.data.every((v) => v === 0));
    await seg.close();
  });
});
