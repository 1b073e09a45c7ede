// WebAssembly modules loaded on demand (issue 16): this process starts with no module loaded, reads
// JPEG, native and RLE frames with the core alone, and loads lazydcm-j2k, lazydcm-jpegls,
// lazydcm-jxl and lazydcm-icc only when a frame or a patch needs them — on this thread and in a pool's workers —
// with the decoded values equal to the independent references (pydicom+GDCM, PIL ImageCms).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { DecodePool, LazydcmError, open, openSlide, wasmModules } from '../../web/dist/index.js';
import { core } from '../../web/dist/wasm/core.js';
import { readNpy } from './lib/npy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');
const codec = JSON.parse(fs.readFileSync(path.join(fixtures, 'codec.json'), 'utf8'));
const wsi = JSON.parse(fs.readFileSync(path.join(fixtures, 'wsi.json'), 'utf8'));
const loaded = () => wasmModules().map((m) => m.name).sort();
const bytesOf = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Frame 1 of a codec fixture as stored values, checked against its reference. */
async function frameEqualsReference(name, options = {}) {
  const inst = await open(path.join(fixtures, 'codec', codec[name].file), options);
  try {
    const expected = readNpy(path.join(fixtures, 'codec', `${name}.npy`));
    const frame = await inst.getStoredFrame(1);
    assert.deepEqual(bytesOf(frame.data), expected.bytes.subarray(0, frame.data.byteLength), `${name} frame 1`);
    return frame;
  } finally {
    await inst.close();
  }
}

test('JPEG, JPEG lossless, RLE and native frames need the core alone', async () => {
  assert.deepEqual(loaded(), []);
  for (const name of ['rgb8x2_jpeg8', 'mr16_jpeg12', 'ct16s_jpegll', 'ct16s_rle', 'ct16s_raw', 'ct16s_dfl']) await frameEqualsReference(name);
  assert.deepEqual(loaded(), ['core']);
});

test('the core names the module that decodes each transfer syntax, and its own decoder refuses the others', async () => {
  const c = await core();
  assert.equal(c.codecModule('1.2.840.10008.1.2.4.50'), 'core');
  assert.equal(c.codecModule('1.2.840.10008.1.2.4.90'), 'j2k');
  assert.equal(c.codecModule('1.2.840.10008.1.2.4.203'), 'j2k');
  assert.equal(c.codecModule('1.2.840.10008.1.2.4.81'), 'jpegls');
  assert.equal(c.codecModule('1.2.840.10008.1.2.4.100'), '');  // MPEG-2: nothing decodes it
  const frame = { rows: 2, columns: 2, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, pixelRepresentation: 0, photometricInterpretation: 'MONOCHROME2' };
  const d = c.decoder();
  assert.throws(() => d.decode('1.2.840.10008.1.2.4.90', frame, new Uint8Array(16)),
    (e) => e instanceof LazydcmError && e.codeName === 'unsupportedTransferSyntax' && /lazydcm-j2k codec module/.test(e.message));
  d.delete();
  assert.deepEqual(loaded(), ['core'], 'asking which module decodes a syntax loads none');
});

test('a JPEG 2000 frame loads lazydcm-j2k, a JPEG-LS frame lazydcm-jpegls, on this thread', async () => {
  await frameEqualsReference('ct16s_j2k');
  await frameEqualsReference('mr16_htj2k');
  assert.deepEqual(loaded(), ['core', 'j2k']);
  await frameEqualsReference('mr16_jlsnear');
  assert.deepEqual(loaded(), ['core', 'j2k', 'jpegls']);
  // Transformed frames: the module's decoded values go back into the core for the transforms; the
  // same CT stored natively gives the same Hounsfield units.
  const [j2k, raw] = await Promise.all([open(path.join(fixtures, 'codec', codec.ct16s_j2k.file)), open(path.join(fixtures, 'codec', codec.ct16s_raw.file))]);
  try {
    const [a, b] = await Promise.all([j2k.getFrame(1), raw.getFrame(1)]);
    assert.deepEqual(a.data, b.data);
  } finally {
    await Promise.all([j2k.close(), raw.close()]);
  }
  // A corrupt codestream is an error from the module, which stays usable.
  const c = await core();
  const d = await c.decoderFor('1.2.840.10008.1.2.4.90');
  const frame = { rows: 64, columns: 64, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 1, photometricInterpretation: 'MONOCHROME2' };
  const garbage = new Uint8Array(300).fill(0x5a);
  garbage.set([0xff, 0x4f, 0xff, 0x51]);
  assert.throws(() => d.decode('1.2.840.10008.1.2.4.90', frame, garbage), (e) => e instanceof LazydcmError);
  await frameEqualsReference('mr16_j2k');
});

test('JPEG XL frames load lazydcm-jxl; a recompressed JPEG gives back its original bytes', async () => {
  assert.ok(!loaded().includes('jxl'));
  await frameEqualsReference('mr16_jxl');
  assert.ok(loaded().includes('jxl'));
  const inst = await open(path.join(fixtures, 'codec', codec.rgb8x2_jxl_jpeg.file));
  try {
    const original = fs.readFileSync(path.join(fixtures, 'codec', codec.rgb8x2_jxl_jpeg.original_jpeg));
    assert.deepEqual(await inst.getOriginalJpeg(1), new Uint8Array(original), 'djxl rebuilds the same JPEG: so must lazydcm');
  } finally {
    await inst.close();
  }
  // A lossless JPEG XL frame recompresses no JPEG: a clear error.
  const lossless = await open(path.join(fixtures, 'codec', codec.rgb8x2_jxl.file));
  try {
    await assert.rejects(lossless.getOriginalJpeg(1), (e) => e instanceof LazydcmError && /no recompressed JPEG/.test(e.message));
  } finally {
    await lossless.close();
  }
});

test('pool workers load the codec modules their frames need', async () => {
  const pool = await DecodePool.create(2);
  try {
    for (const name of ['ct16s_j2k', 'rgb8x2_jls', 'mr16_jpeg12', 'rgb8x2_jxl']) await frameEqualsReference(name, { decodePool: pool });
  } finally {
    await pool.close();
  }
});

test('an ICC patch loads lazydcm-icc: sRGB as PIL ImageCms', async () => {
  const slide = await openSlide(Object.values(wsi.files));
  try {
    await slide.getImage(2);
    assert.ok(!loaded().includes('icc'), 'no ICC module before a patch asks for ICC');
    const srgb = await slide.getImage(2, { icc: 'srgb' });
    assert.match(srgb.colour, /Adobe RGB -> sRGB/);
    const ref = readNpy(wsi.references.level2_srgb).bytes;
    let max = 0;
    for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(ref[i] - srgb.data[i]));
    assert.ok(max <= 1, `max difference ${max}`);
    assert.ok(loaded().includes('icc'));
  } finally {
    await slide.close();
  }
});

test('the core stays within its budget: 300 KB gzip in both builds (a JPEG slide viewer starts with it alone)', async () => {
  const { gzipSync } = await import('node:zlib');
  for (const name of ['lazydcm-core.wasm', 'lazydcm-core-simd.wasm']) {
    const gz = gzipSync(fs.readFileSync(path.join(root, 'web/dist/wasm', name)), { level: 9 }).length;
    assert.ok(gz <= 300 * 1000, `${name}: ${gz} bytes gzip`);
  }
});
