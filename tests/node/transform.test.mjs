// Pixel transforms in the built WASM (getFrame and `lazydcm frame`), over the same fixtures and
// references as the C++ tests: pydicom's apply_modality_lut / apply_color_lut /
// convert_color_space and the PS3.3 window formulas.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { LazydcmError, open } from '../../web/dist/index.js';
import { readNpy } from './lib/npy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(root, 'build/fixtures/transform');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'build/fixtures/transform.json'), 'utf8'));
const run = promisify(execFile);

function close(got, want, tolerance, label) {
  assert.equal(got.length, want.length, label);
  for (let i = 0; i < want.length; i++) {
    if (Math.abs(got[i] - want[i]) > tolerance * Math.max(1, Math.abs(want[i]))) {
      assert.fail(`${label}: value ${i} is ${got[i]}, expected ${want[i]}`);
    }
  }
}

describe('getFrame against the references', () => {
  for (const [name, m] of Object.entries(manifest)) {
    test(name, async () => {
      const expected = readNpy(path.join(dir, `${name}.npy`));
      const want = new Float64Array(expected.bytes.slice().buffer);
      const inst = await open(path.join(dir, m.file));
      try {
        const per = want.length / m.shape[0];
        for (let f = 1; f <= m.shape[0]; f++) {
          const frame = await inst.getFrame(f, m.options);
          assert.ok(frame.data instanceof Float64Array);
          close(frame.data, want.subarray((f - 1) * per, f * per), m.tolerance, `frame ${f} (${frame.transform})`);
        }
        const f32 = await inst.getFrame(1, { ...m.options, dtype: 'float32' });
        assert.ok(f32.data instanceof Float32Array);
      } finally {
        await inst.close();
      }
    });
  }
  test('a missing requested transform is a LazydcmError', async () => {
    const inst = await open(path.join(dir, 'ct_rescale.dcm'));
    await assert.rejects(inst.getFrame(1, { voi: true }), LazydcmError);
    await assert.rejects(inst.getFrame(1, { voi: true, modality: false }), LazydcmError);
    await inst.close();
  });
});

test('getFrames / getStoredFrames: several frames, in the order asked, ranges read together', async () => {
  const m = manifest.mf_per_frame_rescale;
  const expected = new Float64Array(readNpy(path.join(dir, 'mf_per_frame_rescale.npy')).bytes.slice().buffer);
  // Without caches (the frames of this small file are otherwise in the bytes its open read).
  const inst = await open(path.join(dir, m.file), { caches: false });
  const per = expected.length / 3;
  const requestsBefore = inst.stats.requests;
  const frames = await inst.getFrames([3, 1]);
  assert.equal(inst.stats.requests - requestsBefore, 1, 'adjacent frames in one read');
  const cached = await open(path.join(dir, m.file));
  const before = cached.stats.requests;
  await cached.getFrames([3, 1]);
  assert.equal(cached.stats.requests - before, 0, 'frames in the bytes the open read cost no request');
  await cached.close();
  close(frames[0].data, expected.subarray(2 * per, 3 * per), 1e-9, 'frame 3');
  close(frames[1].data, expected.subarray(0, per), 1e-9, 'frame 1');
  const all = await inst.getStoredFrames();
  assert.equal(all.length, 3);
  await assert.rejects(inst.getStoredFrames([1, 4]), (e) => e instanceof LazydcmError && e.codeName === 'frameOutOfRange');
  await inst.close();
});

test('lazydcm frame applies the transforms by default', async () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lazydcm-t-')), 'f.npy');
  await run(process.execPath, [path.join(root, 'web/dist/cli/main.js'), 'frame', path.join(dir, 'ct_rescale.dcm'), '1', '--out', out]);
  const got = readNpy(out);
  assert.equal(got.descr, '<f8');
  const want = readNpy(path.join(dir, 'ct_rescale.npy'));
  assert.ok(Buffer.from(got.bytes).equals(Buffer.from(want.bytes)));
});
