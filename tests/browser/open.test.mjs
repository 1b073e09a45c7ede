// Real Chromium (Playwright): the page loads the WASM from one origin and reads DICOM files by
// HTTP Range from another (so CORS is really exercised), and from a picked local File.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launchChromium } from '../../scripts/lib/chromium.mjs';
import { startNginx } from '../../scripts/lib/nginx.mjs';
import { startOrthanc } from '../../scripts/lib/orthanc.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');
const index = JSON.parse(fs.readFileSync(path.join(fixtures, 'index.json'), 'utf8'));
const tpm = JSON.parse(fs.readFileSync(path.join(fixtures, 'tpm.json'), 'utf8'));
const vol = JSON.parse(fs.readFileSync(path.join(fixtures, 'volume.json'), 'utf8'));
const codec = JSON.parse(fs.readFileSync(path.join(fixtures, 'codec.json'), 'utf8'));
import { fnv1a } from '../node/lib/fnv.mjs';
import { readNpy } from '../node/lib/npy.mjs';
import { startGcsListing } from '../node/lib/gcs-listing.mjs';

describe('open() in Chromium', () => {
  let app, data, browser, page;
  before(async () => {
    app = await startNginx(root);        // the page and the package
    data = await startNginx(fixtures);   // the images, on another origin
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(`${app.url}/tests/browser/pages/info.html`);
    await page.waitForFunction(() => window.ready === true);
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    await data?.stop();
  });

  for (const name of ['large_eot', 'large_tiff', 'slide_multifrag_scan', 'deflated']) {
    test(`${name} cross-origin by Range: summary as pydicom reads it, index as generated`, async () => {
      data.clearLog();
      const r = await page.evaluate((url) => window.openUrl(url, { firstRead: 8192 }), `${data.url}/index/${name}.dcm`);
      assert.equal(r.error, undefined, JSON.stringify(r.error));
      const expect = index[name];
      for (const key of ['rows', 'columns', 'numberOfFrames', 'transferSyntaxUid', 'photometricInterpretation']) {
        assert.equal(r.summary[key], expect.pydicom[key], key);
      }
      assert.equal(r.summary.frameIndex.kind, expect.kind);
      assert.equal(r.frames, expect.frames.length);
      assert.equal(r.dataset['00100010'].Value[0].Alphabetic, expect.pydicom.patientName);
      const log = (await data.logSettled()).filter((l) => l.method === 'GET');
      assert.ok(log.every((l) => l.range && l.status === 206), JSON.stringify(log));
      assert.equal(r.stats.requests, (await data.logSettled()).length);
    });
  }

  test('persistent cache (Cache Storage): after a page reload a fragment-scanned slide reopens with no request within trustMs, one without', async () => {
    const url = `${data.url}/index/large_scan.dcm`;
    data.clearLog();
    const cold = await page.evaluate(([u]) => window.persistentOpen(u, 0, 1), [url]);
    assert.equal(cold.error, undefined, JSON.stringify(cold.error));
    assert.equal(cold.opened.persistentMisses, 1);
    assert.ok(cold.opened.requests >= 2, 'the fragment scan read beyond the first read');
    await page.reload();
    await page.waitForFunction(() => window.ready === true);
    data.clearLog();
    const trusted = await page.evaluate(([u]) => window.persistentOpen(u, 60_000, 450), [url]);
    assert.equal(trusted.error, undefined, JSON.stringify(trusted.error));
    assert.equal(trusted.opened.persistentHits, 1);
    assert.equal(trusted.opened.requests, 0, 'no header or index request (no fetch at all)');
    assert.equal(trusted.kind, 'fragment_scan');
    assert.ok(trusted.notes.includes('index restored from the persistent cache'));
    assert.equal(fnv1a(trusted.bytes), index.large_scan.frames[449], 'frame 450 as the generator wrote it');
    // At most the frame's own read reaches nginx (Chromium's HTTP cache may answer it: the cold scan read those bytes).
    const log = await data.logSettled();
    assert.ok(log.length <= 1 && log.every((l) => l.method === 'GET' && l.range), `only the frame's read: ${JSON.stringify(log)}`);
    data.clearLog();
    const revalidated = await page.evaluate(([u]) => window.persistentOpen(u, 0, 900), [url]);
    assert.equal(revalidated.opened.persistentHits, 1);
    assert.equal(revalidated.opened.requests, 1, 'the first read only (it carries Last-Modified)');
    assert.equal(fnv1a(revalidated.bytes), index.large_scan.frames[899]);
  });

  test('a J2K region decoded in a pool of module Workers equals the pydicom+GDCM stitch; the workers load lazydcm-j2k then', async () => {
    const wasmFetched = async () => (await app.logSettled()).map((l) => l.path).filter((p) => /\.wasm$/.test(p)).map((p) => p.replace(/.*\//, '')).sort();
    assert.deepEqual(await page.evaluate(() => window.wasmModules()), ['core'], 'four files parsed with the core alone');
    assert.deepEqual(await wasmFetched(), ['lazydcm-core-simd.wasm']);
    app.clearLog();
    const m = tpm.rgb_j2k_plane1;
    const reg = m.regions[1];
    const r = await page.evaluate(([url, o]) => window.poolRegion(url, o), [`${data.url}/tpm/rgb_j2k.dcm`,
      { asIndices: true, rowStart: reg.rows[0], rowEnd: reg.rows[1], columnStart: reg.cols[0], columnEnd: reg.cols[1], focalPlane: 1, stored: true }]);
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.deepEqual(r.frames, reg.frames);
    assert.ok(Buffer.from(r.data).equals(Buffer.from(readNpy(path.join(fixtures, 'tpm', reg.npy)).bytes)));
    // The workers fetched the core and the J2K module; the page, which decoded nothing, loaded neither again.
    const fetched = await wasmFetched();
    assert.ok(fetched.includes('lazydcm-j2k-simd.wasm') && fetched.every((f) => /^lazydcm-(core|j2k)-simd\.wasm$/.test(f)), fetched.join());
    assert.deepEqual(await page.evaluate(() => window.wasmModules()), ['core']);
  });

  test('JPEG XL frames decoded on the page by lazydcm-jxl (loaded then) equal djxl; a recompressed JPEG comes back byte for byte', async () => {
    assert.ok(!(await page.evaluate(() => window.wasmModules())).includes('jxl'));
    for (const name of ['mr16_jxl', 'rgb8x2_jxl', 'rgb8x2_jxl_lossy', 'rgb8x2_jxl_jpeg']) {
      const m = codec[name];
      const r = await page.evaluate(([url, jpeg]) => window.storedFrame(url, jpeg), [`${data.url}/codec/${m.file}`, !!m.original_jpeg]);
      assert.equal(r.error, undefined, JSON.stringify(r.error));
      const ref = readNpy(path.join(fixtures, 'codec', `${name}.npy`)).bytes;
      const got = Uint8Array.from(r.data);
      assert.ok(Buffer.from(got).equals(Buffer.from(ref)), name);
      if (m.original_jpeg) assert.ok(Buffer.from(r.jpeg).equals(fs.readFileSync(path.join(fixtures, 'codec', m.original_jpeg))), `${name} original JPEG`);
    }
    assert.ok((await page.evaluate(() => window.wasmModules())).includes('jxl'));
  });

  test('a CT series from a zip and its SEG, cross-origin by Range: HU, affine and masks', async () => {
    const r = await page.evaluate(([z, s]) => window.zipVolume(z, s), [`${data.url}/volume/ct.zip?series/`, `${data.url}/volume/ct.zip?seg/seg_binary.dcm`]);
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.deepEqual(r.shape, vol.ct.shape);
    assert.deepEqual(r.data, Array.from(new Float64Array(readNpy(vol.ct.hu).bytes.slice().buffer)));
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) assert.ok(Math.abs(r.affine[i][j] - vol.ct.affine[i][j]) < 1e-6);
    const masks = ['1', '2', '3'].map((n) => readNpy(vol.segs.binary.masks[n]).bytes);
    assert.deepEqual(r.labels, Array.from(masks[0], (x, i) => x + 2 * masks[1][i] + 3 * masks[2][i]));
  });

  test('a series from a GCS-style listing (another origin) and its objects by Range', async () => {
    const gcs = await startGcsListing(fixtures);
    try {
      const r = await page.evaluate(([src, o]) => window.seriesVolume(src, o), ['gs://volume/ct_0*',
        { http: { gcsEndpoint: data.url, gcsApiEndpoint: gcs.url, pageSize: 3 } }]);
      assert.equal(r.error, undefined, JSON.stringify(r.error));
      assert.equal(r.instances, vol.ct.series.length);
      assert.deepEqual(r.data, Array.from(new Float64Array(readNpy(vol.ct.hu).bytes.slice().buffer)));
      assert.ok(gcs.requests.length >= 3, 'paged listing');
    } finally {
      await gcs.stop();
    }
  });

  test('a bucket whose CORS rules hide Content-Range: the size comes from a HEAD', async () => {
    const r = await page.evaluate((url) => window.openUrl(url, { firstRead: 8192 }), `${data.url}/noexpose/index/large_eot.dcm`);
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.summary.fileSize, fs.statSync(path.join(fixtures, 'index', 'large_eot.dcm')).size);
    assert.equal(r.summary.frameIndex.kind, 'extended_offset_table');
  });

  test('a picked local File is read by slice, not whole', async () => {
    const file = path.join(fixtures, 'index', 'large_eot.dcm');
    await page.setInputFiles('#file', file);
    const r = await page.evaluate(() => window.openPickedFile());
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.summary.frameIndex.kind, 'extended_offset_table');
    assert.ok(r.stats.bytes < fs.statSync(file).size / 4, `${r.stats.bytes} bytes read`);
  });

  test('errors arrive as LazydcmError with a stable code', async () => {
    const r = await page.evaluate((url) => window.openUrl(url), `${data.url}/index/missing.dcm`);
    assert.equal(r.error.isLazydcmError, true);
    assert.equal(r.error.codeName, 'httpError');
  });
});

describe('a slide in Chromium: DICOMweb (Orthanc, cross-origin) and files by Range give the reference pixels', () => {
  let app, data, orthanc, browser, page;
  const wsi = JSON.parse(fs.readFileSync(path.join(fixtures, 'wsi.json'), 'utf8'));
  before(async () => {
    app = await startNginx(root);
    data = await startNginx(fixtures);
    orthanc = await startOrthanc(Object.values(wsi.files));
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(`${app.url}/tests/browser/pages/info.html`);
    await page.waitForFunction(() => window.ready === true);
  });
  after(async () => {
    await browser?.close();
    await orthanc?.stop();
    await app?.stop();
    await data?.stop();
  });

  test('level 1 (a concatenation) patch and level 2 through the ICC profile', async () => {
    const series = `${orthanc.dicomweb}/studies/${wsi.study}/series/${wsi.series}`;
    const files = Object.values(wsi.files).map((f) => `${data.url}/${path.relative(fixtures, f)}`);
    const ref1 = readNpy(wsi.levels[1].npy[0]);
    const [x, y, w, h] = [30, 60, 300, 200];
    const expected = [];
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) for (let k = 0; k < 3; k++) expected.push(ref1.bytes[((y + r) * 400 + x + c) * 3 + k]);
    for (const src of [series, files]) {
      const p = await page.evaluate(([s, box]) => window.slidePatch(s, 1, box, {}), [src, [x, y, w, h]]);
      assert.equal(p.error, undefined, `${JSON.stringify(p.error)} from ${src}`);
      assert.deepEqual(p.levels, ['40X', '20X', '10X']);
      assert.deepEqual(p.data, expected);
    }
    orthanc.clearLog();
    const icc = await page.evaluate(([s]) => window.slidePatch(s, 2, [0, 0, 200, 150], { icc: 'srgb' }), [series]);
    assert.equal(icc.error, undefined, JSON.stringify(icc.error));
    assert.match(icc.colour, /sRGB/);
    const ref = readNpy(wsi.references.level2_srgb).bytes;
    assert.ok(icc.data.every((v, i) => Math.abs(v - ref[i]) <= 1));
    assert.equal(orthanc.log.filter((l) => l.url.includes('/frames/')).length, 1, 'the level\'s 4 tiles in one frames request');
  });
});
