// Decoding in a pool of worker_threads, each with its own WASM instance: every codec fixture's
// stored values equal the reference decoders' (pydicom+GDCM, ojph_expand), a region and a SEG
// volume equal the same read without the pool, and a corrupt frame is a LazydcmError.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { DecodePool, LazydcmError, MemorySource, open, openSegmentation } from '../../web/dist/index.js';
import { readNpy } from './lib/npy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');
const codec = JSON.parse(fs.readFileSync(path.join(fixtures, 'codec.json'), 'utf8'));
const tpm = JSON.parse(fs.readFileSync(path.join(fixtures, 'tpm.json'), 'utf8'));
const vol = JSON.parse(fs.readFileSync(path.join(fixtures, 'volume.json'), 'utf8'));
const bytesOf = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('decode pool', () => {
  let pool;
  before(async () => { pool = await DecodePool.create(2); });
  after(async () => { await pool?.close(); });

  test('every codec fixture through the workers equals the reference', async () => {
    assert.equal(pool.size, 2);
    for (const [name, m] of Object.entries(codec)) {
      const expected = readNpy(path.join(fixtures, 'codec', `${name}.npy`));
      const inst = await open(path.join(fixtures, 'codec', m.file), { decodePool: pool, caches: false });
      const frames = await inst.getStoredFrames();
      assert.ok(Buffer.concat(frames.map((f) => bytesOf(f.data))).equals(Buffer.from(expected.bytes)), name);
      if (m.reduce1) {
        const half = await inst.getStoredFrame(1, { reduce: 1 });
        assert.ok(bytesOf(half.data).equals(Buffer.from(readNpy(path.join(fixtures, 'codec', m.reduce1)).bytes)), `${name} reduce 1`);
      }
      await inst.close();
    }
  });

  test('regions (J2K and JPEG tiles) against the stitch; a 1-bit SEG volume against the masks and the same read without the pool', async () => {
    for (const key of ['rgb_j2k_plane1', 'jpeg_full', 'sparse16_j2k']) {
      const m = tpm[key];
      const inst = await open(m.file, { decodePool: pool, caches: false });
      for (const r of m.regions) {
        const got = await inst.getTotalPixelMatrix({ asIndices: true, rowStart: r.rows[0], rowEnd: r.rows[1], columnStart: r.cols[0], columnEnd: r.cols[1],
          focalPlane: m.selection.focalPlane, stored: true });
        assert.ok(bytesOf(got.data).equals(Buffer.from(readNpy(path.join(fixtures, 'tpm', r.npy)).bytes)), `${key} ${r.rows} ${r.cols}`);
      }
      await inst.close();
    }
    const seg = await openSegmentation(vol.segs.binary.file, { decodePool: pool, caches: false });
    const plain = await openSegmentation(vol.segs.binary.file, { caches: false });
    const a = await seg.getVolume({ combineSegments: true });
    const b = await plain.getVolume({ combineSegments: true });
    assert.ok(bytesOf(a.data).equals(bytesOf(b.data)));
    // …and both equal the generator's masks on the SEG's own slices.
    const { first_slice: first, last_slice: last, masks } = vol.segs.binary;
    const per = a.shape[1] * a.shape[2];
    const [m1, m2, m3] = ['1', '2', '3'].map((n) => readNpy(masks[n]).bytes.subarray(first * per, (last + 1) * per));
    assert.deepEqual(Array.from(a.data), Array.from(m1, (x, i) => x + 2 * m2[i] + 3 * m3[i]));
    await seg.close();
    await plain.close();
  });

  test('a corrupt codestream: a LazydcmError from the worker, and the pool keeps working', async () => {
    const m = Object.values(codec).find((x) => x.transfer_syntax === '1.2.840.10008.1.2.4.90');
    const bytes = new Uint8Array(fs.readFileSync(path.join(fixtures, 'codec', m.file)));
    const inst = await open(new MemorySource(bytes, 'j2k'), { decodePool: pool, caches: false });
    const f = inst.frames[0];
    bytes.fill(0x55, f.offset + 8 + 40, f.offset + f.length);  // garbage after the main header
    await assert.rejects(inst.getStoredFrame(1), (e) => e instanceof LazydcmError && /frame 1/.test(e.message));
    await inst.close();
    const ok = await open(path.join(fixtures, 'codec', m.file), { decodePool: pool, caches: false });
    assert.ok((await ok.getStoredFrame(1)).data.length > 0);
    await ok.close();
  });
});

test('workers that cannot load their WASM fail every frame with the cause (never pending); a new pool works', async () => {
  const { setWasmBaseUrl, wasmFlavour, setWasmSimd } = await import('../../web/dist/index.js');
  const m = Object.values(codec).find((c) => c.transfer_syntax === '1.2.840.10008.1.2.4.50');
  const file = path.join(fixtures, 'codec', m.file);
  const inst = await open(file, { caches: false });  // the main thread's core is already loaded
  setWasmBaseUrl('file:///nonexistent/lazydcm-wasm/');
  const broken = await DecodePool.create(2);
  setWasmBaseUrl(undefined);
  setWasmSimd('auto');
  try {
    const reading = await open(file, { decodePool: broken, caches: false });
    const err = await reading.getStoredFrame(1).then(() => null, (e) => e);
    assert.ok(err instanceof LazydcmError, String(err));
    assert.equal(err.codeName, 'wasmLoadError');
    assert.match(err.message, /nonexistent\/lazydcm-wasm\/lazydcm-core/);
    // Later decodes fail at once with the same cause.
    const again = await reading.getStoredFrame(1).then(() => null, (e) => e);
    assert.equal(again?.codeName, 'wasmLoadError');
    assert.equal(broken.live, 0);
    await reading.close();
  } finally {
    await broken.close();
  }
  const fresh = await DecodePool.create(1);
  const ok = await open(file, { decodePool: fresh, caches: false });
  assert.equal((await ok.getStoredFrame(1)).rows, inst.summary.rows);
  assert.ok(wasmFlavour());
  await ok.close();
  await fresh.close();
  await inst.close();
});
