// One app, bundled by Vite, webpack and esbuild and loaded unbundled: what a user writes after
// `npm install lazydcm`. Reads a slide level and a CT by Range from `?data=<origin>`, decodes in a
// DecodePool, draws the region; then a JPEG 2000 MR in the pool and a JPEG-LS MR on the page, whose
// codec modules load only then. The Chromium test reads the canvas and the numbers it publishes.
import { DecodePool, drawImage, EIGHT_BIT, open, wasmFlavour, wasmModules, wasmSource } from 'lazydcm';

const bytesOf = (frame) => Array.from(new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength));

async function run() {
  const data = new URLSearchParams(location.search).get('data');
  const pool = await DecodePool.create(2);
  const slide = await open(`${data}/pixelmed-tiff/level_0.dcm`, { decodePool: pool });
  const region = await slide.getTotalPixelMatrix({ rowStart: 300, rowEnd: 556, columnStart: 500, columnEnd: 756, asIndices: true, stored: true, rgb: true });
  const canvas = document.querySelector('canvas');
  canvas.width = region.columns;
  canvas.height = region.rows;
  drawImage(canvas.getContext('2d'), region, 0, 0, { window: EIGHT_BIT });
  const ct = await open(`${data}/pydicom/CT_small.dcm`, { decodePool: pool });
  const frame = await ct.getStoredFrame(1);
  const modulesBefore = wasmModules().map((m) => m.name);
  const j2k = await open(`${data}/pydicom/MR_small_jp2klossless.dcm`, { decodePool: pool });
  const j2kFrame = await j2k.getStoredFrame(1);
  const jpegls = await open(`${data}/pydicom/MR_small_jpeg_ls_lossless.dcm`);
  const jpeglsFrame = await jpegls.getStoredFrame(1);
  window.result = {
    frames: region.frames.length,
    ct: bytesOf(frame),
    j2k: bytesOf(j2kFrame),
    jpegls: bytesOf(jpeglsFrame),
    modulesBefore,
    modulesAfter: wasmModules().map((m) => `${m.name}:${m.from}`).sort(),
    flavour: wasmFlavour(),
    source: wasmSource(),
    workers: pool.live,
    requests: slide.stats.requests + ct.stats.requests,
  };
  await slide.close();
  await ct.close();
  await j2k.close();
  await jpegls.close();
  await pool.close();
}

run().catch((e) => { window.result = { error: `${e?.name}: ${e?.message}` }; });
