// The Slide API and DICOMweb on the generated slide (tests/fixtures/wsi_fixtures.py): levels and
// EZ-WSI's rules, patches against crops of the stitched levels PIL decoded, resized levels against
// PIL's resamplers, ICC against PIL's ImageCms, the patch generator against the hand-placed tissue;
// then the same slide from a real nginx (Range), a real Orthanc with its DICOMweb plugin and the
// local files gives identical pixels, with frames batched and errors reported and retried.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { createFrameCaches, DicomWebClient, ErrorCode, LazydcmError, open, openSlide, parseDicomWebUrl, parseMultipart } from '../../web/dist/index.js';
import { copies } from '../../web/dist/wasm/core.js';
import { startNginx } from '../../scripts/lib/nginx.mjs';
import { startOrthanc } from '../../scripts/lib/orthanc.mjs';
import { readNpy } from './lib/npy.mjs';

const npy = (p) => { const n = readNpy(p); return { shape: n.shape, data: n.bytes }; };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');
const wsi = JSON.parse(fs.readFileSync(path.join(fixtures, 'wsi.json'), 'utf8'));
const files = Object.values(wsi.files);
const cli = path.join(root, 'web/dist/cli/main.js');

/** rows x columns x 3 crop of a reference (H x W x 3), `fill` outside. */
function crop(ref, x, y, w, h, fill = 0) {
  const [H, W, C] = ref.shape;
  const out = new Uint8Array(w * h * C).fill(fill);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const yy = y + r, xx = x + c;
      if (yy < 0 || xx < 0 || yy >= H || xx >= W) continue;
      for (let k = 0; k < C; k++) out[(r * w + c) * C + k] = ref.data[(yy * W + xx) * C + k];
    }
  }
  return out;
}

function diff(a, b) {
  assert.equal(a.length, b.length);
  let max = 0, sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

describe('Slide from local files', () => {
  let slide;
  before(async () => { slide = await openSlide(files); });
  after(async () => { await slide?.close(); });

  test('levels: sizes, spacing, magnification, frames, focal planes, concatenation, ancillary images', () => {
    assert.equal(slide.levels.length, 3);
    wsi.levels.forEach((e, i) => {
      const l = slide.levels[i];
      assert.deepEqual([l.rows, l.columns, l.frames, l.focalPlanes], [e.rows, e.cols, e.frames, e.focalPlanes]);
      assert.ok(Math.abs(l.spacing.row - e.spacing) < 1e-9 && Math.abs(l.spacing.column - e.spacing) < 1e-9);
      assert.deepEqual(l.instances[0].map((inst) => inst.source.name), e.instances);
    });
    assert.deepEqual(slide.levels.map((l) => l.magnification), ['40X', '20X', '10X']);
    assert.equal(slide.levels[0].transferSyntaxUid, '1.2.840.10008.1.2.4.50');
    assert.deepEqual([slide.label.rows, slide.label.columns, slide.overview.rows, slide.thumbnail.columns], [128, 256, 120, 100]);
  });

  test('level choice: EZ-WSI rules by spacing and magnification', () => {
    const idx = (l) => (l ? l.index : -1);
    assert.equal(idx(slide.levelBySpacing(0.00025)), 0);
    assert.equal(idx(slide.levelBySpacing(0.0004)), 1);        // 0.0005 within 23 %
    assert.equal(idx(slide.levelBySpacing(0.00035)), -1);      // neither close
    assert.equal(idx(slide.levelBySpacing(0.00035, { maximumDownsample: 2 })), 0);
    assert.equal(idx(slide.levelByMagnification('20X')), 1);
    assert.equal(idx(slide.levelByMagnification('10x')), 2);
    assert.equal(idx(slide.levelByMagnification('5X')), -1);
    assert.equal(idx(slide.levelByMagnification('1.25X', { maximumDownsample: 8 })), 2);
    assert.throws(() => slide.levelByMagnification('big'), (e) => e instanceof LazydcmError && e.code === ErrorCode.invalidArgument);
    assert.deepEqual(slide.scaleFactors(slide.levels[0], slide.levels[2]), { x: 4, y: 4 });
    assert.deepEqual(slide.mapPoint(slide.levels[0], slide.levels[1], 400, 100), { x: 200, y: 50 });
  });

  test('patches equal crops of the stitched levels (PIL decode of the same tiles); edges filled', async () => {
    const boxes = [[0, 0, 64, 64], [100, 50, 200, 150], [120, 120, 20, 20], [-30, -20, 90, 70], [700, 550, 200, 100], [127, 127, 2, 2]];
    for (const [li, npys] of wsi.levels.map((l, i) => [i, l.npy])) {
      for (const [plane, file] of npys.entries()) {
        const ref = npy(file);
        for (const [x, y, w, h] of boxes) {
          if (x >= ref.shape[1] || y >= ref.shape[0]) continue;
          const p = await slide.getPatch(li, x, y, w, h, { focalPlane: plane, fill: 7 });
          assert.deepEqual([p.rows, p.columns, p.samplesPerPixel], [h, w, 3]);
          assert.equal(diff(p.data, crop(ref, x, y, w, h, 7)).max, 0, `level ${li} plane ${plane} box ${[x, y, w, h]}`);
        }
      }
    }
    const whole = await slide.getImage(2);
    assert.equal(diff(whole.data, npy(wsi.levels[2].npy[0]).data).max, 0);
    await assert.rejects(slide.getPatch(0, 800, 0, 10, 10), (e) => e.code === ErrorCode.outOfImage);
    await assert.rejects(slide.getPatch(0, 0, 0, 10, 10, { focalPlane: 2 }), (e) => e.code === ErrorCode.invalidArgument);
    await assert.rejects(slide.getPatch(0, 0, 0, 0, 10), (e) => e.code === ErrorCode.invalidArgument);
  });

  test('a patch stays in WASM from its region to the copy out: one copy in per tile, one out', async () => {
    const s2 = await openSlide(files, { caches: false });
    const [x, y, w, h] = [-30, 50, 200, 150];
    copies.reset();
    const p = await s2.getPatch(0, x, y, w, h, { fill: 7 });
    assert.equal(diff(p.data, crop(npy(wsi.levels[0].npy[0]), x, y, w, h, 7)).max, 0);
    const { tileRows: tr, tileColumns: tc } = s2.levels[0];
    const tiles = (Math.ceil((y + h) / tr) - Math.floor(y / tr)) * (Math.ceil((x + w) / tc) - Math.floor(0 / tc));
    assert.deepEqual({ in: copies.in, out: copies.out, outBytes: copies.outBytes }, { in: tiles, out: 1, outBytes: w * h * 3 });
    // Level 1 is a concatenation of two instances: both parts' tiles merged in WASM, one copy out.
    assert.equal(s2.levels[1].instances[0].length, 2);
    copies.reset();
    const whole = await s2.getImage(1);
    assert.equal(diff(whole.data, npy(wsi.levels[1].npy[0]).data).max, 0);
    assert.deepEqual({ in: copies.in, out: copies.out }, { in: s2.levels[1].frames, out: 1 });
    await s2.close();
  });

  test('ancillary images equal their references', async () => {
    for (const k of ['label', 'overview', 'thumbnail']) {
      const p = await slide.getAncillary(slide[k]);
      assert.equal(diff(p.data, npy(wsi.references[k]).data).max, 0, k);
    }
  });

  test('resized levels: area downsampling and cubic upsampling within a tolerance of PIL', async () => {
    const down = slide.resize(0, 0.00075);
    assert.deepEqual([down.rows, down.columns], [200, 266]);
    const a = await slide.getImage(down);
    const da = diff(a.data, npy(wsi.references['level0_at_0.00075']).data);
    assert.ok(da.max <= 1, `area: max ${da.max}`);
    const up = slide.resize(2, '25X');  // 0.0004 mm
    assert.deepEqual([up.rows, up.columns], [375, 500]);
    const b = await slide.getImage(up);
    const db = diff(b.data, npy(wsi.references['level2_at_0.0004']).data);
    assert.ok(db.mean < 1.5 && db.max <= 48, `cubic (a=-0.75) vs PIL bicubic (a=-0.5): mean ${db.mean}, max ${db.max}`);
    // A patch of the resized level is the crop of the whole resized image.
    const p = await slide.getPatch(down, 50, 40, 60, 30);
    assert.ok(diff(p.data, crop({ data: a.data, shape: [200, 266, 3] }, 50, 40, 60, 30)).max <= 1);  // float rounding at .5
  });

  test('ICC: the optical path profile to sRGB and Display P3 equals PIL ImageCms; off by default', async () => {
    const plain = await slide.getImage(2);
    assert.equal(plain.colour, 'stored');
    const srgb = await slide.getImage(2, { icc: 'srgb' });
    assert.match(srgb.colour, /Adobe RGB -> sRGB/);
    assert.ok(diff(srgb.data, npy(wsi.references.level2_srgb).data).max <= 1);
    const p3 = await slide.getImage(2, { icc: 'display-p3' });
    assert.ok(diff(p3.data, npy(wsi.references.level2_p3).data).max <= 2);
    assert.deepEqual(await slide.iccProfile(), new Uint8Array(fs.readFileSync(wsi.references.icc)));
  });

  test('patch generator: positions of the hand-placed tissue cells, preload then zero fetches', async () => {
    const cells = wsi.tissue.cells.map(([r, c]) => [r * 128, c * 128]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const g = await slide.patches(0, { patchSize: 128 });
    assert.deepEqual(g.origins.map((o) => [o.row, o.column]), cells, 'the speck cell is not tissue');
    const centred = await slide.patches(0, { patchSize: 64, stride: 128 });
    assert.deepEqual(centred.origins.map((o) => [o.row, o.column]), cells.map(([r, c]) => [r + 32, c + 32]));
    // A caller's mask (one value per 128-pixel step: 6 x 4 steps fit 800 x 600) instead of luminance.
    const mask = new Uint8Array(4 * 6);
    mask[1 * 6 + 1] = 1;
    mask[3 * 6 + 5] = 1;
    const own = await slide.patches(0, { patchSize: 128, mask: { data: mask, rows: 4, columns: 6 } });
    assert.deepEqual(own.origins.map((o) => [o.row, o.column]), [[128, 128], [384, 640]]);
    // Preload: the patches' frames fetched first; reading them afterwards fetches nothing.
    const s2 = await openSlide(files, { caches: undefined });
    const g2 = await s2.patches(0, { patchSize: 128 });
    await g2.preload();
    const before = s2.stats.requests;
    let n = 0;
    for await (const p of g2) {
      assert.equal(diff(p.data, crop(npy(wsi.levels[0].npy[0]), p.x, p.y, 128, 128)).max, 0);
      n++;
    }
    assert.equal(n, cells.length);
    assert.equal(s2.stats.requests, before, 'patches read from the preloaded cache');
    await s2.close();
  });
});

describe('DICOMweb (real Orthanc) and Range (real nginx): the same pixels, frames batched', () => {
  let orthanc, nginx, local;
  const series = () => `${orthanc.dicomweb}/studies/${wsi.study}/series/${wsi.series}`;
  before(async () => {
    orthanc = await startOrthanc(files);
    nginx = await startNginx(fixtures);
    local = await openSlide(files);
  });
  after(async () => {
    await local?.close();
    await orthanc?.stop();
    await nginx?.stop();
  });

  test('QIDO-RS finds the study, series and instances; URLs parse', async () => {
    const client = new DicomWebClient(orthanc.dicomweb);
    const studies = await client.searchStudies({ PatientID: 'WSI-1' });
    assert.equal(studies.length, 1);
    assert.equal(studies[0]['0020000D'].Value[0], wsi.study);
    const seriesList = await client.searchSeries(wsi.study);
    assert.equal(seriesList[0]['0020000E'].Value[0], wsi.series);
    assert.equal((await client.searchInstances(wsi.study, wsi.series)).length, files.length);
    assert.deepEqual(parseDicomWebUrl(`${orthanc.dicomweb}/studies/1.2/series/3.4`), { base: orthanc.dicomweb, study: '1.2', series: '3.4', instance: undefined });
    assert.equal(parseDicomWebUrl('https://x/y.dcm'), null);
  });

  test('the slide from Orthanc, from nginx by Range and from files: identical patches; frames batched', async () => {
    const web = await openSlide(series());
    const ranged = await openSlide(files.map((f) => `${nginx.url}/${path.relative(fixtures, f)}`));
    try {
      assert.deepEqual(web.levels.map((l) => [l.rows, l.columns, l.magnification, l.frames]), local.levels.map((l) => [l.rows, l.columns, l.magnification, l.frames]));
      assert.ok(web.label && web.overview && web.thumbnail);
      for (const [li, x, y, w, h, plane] of [[0, 100, 90, 300, 200, 0], [0, 0, 0, 800, 600, 1], [1, 50, 20, 300, 250, 0], [2, -5, -5, 210, 160, 0]]) {
        orthanc.clearLog();
        const a = await web.getPatch(li, x, y, w, h, { focalPlane: plane });
        const frameRequests = orthanc.log.filter((r) => r.url.includes('/frames/'));
        const instances = new Set(frameRequests.map((r) => r.url.split('/frames/')[0]));
        assert.equal(frameRequests.length, instances.size, `one frames request per instance for level ${li}: ${frameRequests.map((r) => r.url.split('/').pop())}`);
        const b = await ranged.getPatch(li, x, y, w, h, { focalPlane: plane });
        const c = await local.getPatch(li, x, y, w, h, { focalPlane: plane });
        assert.equal(diff(a.data, c.data).max, 0, `DICOMweb level ${li}`);
        assert.equal(diff(b.data, c.data).max, 0, `Range level ${li}`);
      }
      // Warm: no further requests; ICC from the BulkDataURI.
      orthanc.clearLog();
      await web.getPatch(0, 100, 90, 300, 200);
      assert.equal(orthanc.log.length, 0);
      const icc = await web.getImage(2, { icc: 'srgb' });
      assert.equal(diff(icc.data, npy(wsi.references.level2_srgb).data).max <= 1, true);
      const anc = await web.getAncillary(web.overview);
      assert.equal(diff(anc.data, npy(wsi.references.overview).data).max, 0);
    } finally {
      await web.close();
      await ranged.close();
    }
  });

  test('batches are limited by framesPerRequest; an explicit transfer syntax is transcoded by the server', async () => {
    const web = await openSlide(series(), { dicomweb: { framesPerRequest: 4 }, caches: false });
    orthanc.clearLog();
    await web.getImage(0, { focalPlane: 1 });  // 35 tiles
    const lists = orthanc.log.filter((r) => r.url.includes('/frames/')).map((r) => r.url.split('/frames/')[1].split(','));
    assert.equal(lists.flat().length, 35);
    assert.ok(lists.every((l) => l.length <= 4) && lists.length === 9);
    await web.close();
    const explicit = await openSlide(series(), { dicomweb: { transferSyntax: '1.2.840.10008.1.2.1' } });
    const level2 = await explicit.getImage(2);  // native level: no transcoding loss
    assert.equal(diff(level2.data, npy(wsi.levels[2].npy[0]).data).max, 0);
    assert.equal(explicit.levels[2].instances[0][0].summary.transferSyntaxUid, '1.2.840.10008.1.2.1');
    // JPEG level 1 was read as stored (JPEG) earlier: transcoded frames are cached apart from those.
    const jpegTiles = await explicit.getPatch(1, 0, 0, 128, 128);
    assert.equal(explicit.levels[1].instances[0][0].summary.transferSyntaxUid, '1.2.840.10008.1.2.1');
    assert.equal(explicit.levels[1].instances[0][0].summary.photometricInterpretation, 'RGB');  // decompressed by the server
    const t = diff(jpegTiles.data, crop(npy(wsi.levels[1].npy[0]), 0, 0, 128, 128));
    assert.ok(t.max <= 8 && t.mean < 1, `Orthanc's (DCMTK) JPEG decode vs libjpeg-turbo: max ${t.max}, mean ${t.mean}`);
    await explicit.close();
  });

  test('prefetch policies work on frames by number: a block per request, a small instance whole', async () => {
    const slide = await openSlide(series(), { prefetch: 'block', prefetchBlock: 8, caches: createFrameCaches() });
    const level0 = slide.levels[0].instances[0][0];
    orthanc.clearLog();
    await level0.getStoredFrame(10, { rgb: true });
    const lists = orthanc.log.filter((r) => r.url.includes('/frames/')).map((r) => r.url.split('/frames/')[1]);
    assert.deepEqual(lists, ['9,10,11,12,13,14,15,16'], 'frame 10 with the rest of its block of 8, one request');
    orthanc.clearLog();
    await level0.getStoredFrame(12);
    assert.equal(orthanc.log.length, 0, 'the block is cached');
    await slide.close();
    const whole = await openSlide(series(), { prefetch: 'instance', caches: createFrameCaches() });
    const level2 = whole.levels[2].instances[0][0];
    orthanc.clearLog();
    await level2.getStoredFrame(1);
    assert.deepEqual(orthanc.log.map((r) => r.url.split('/frames/')[1]), ['1,2,3,4'], 'the small instance in one request');
    await whole.close();
  });

  test('server errors: 404 and 406 reported, 429 and 503 retried, 401 refreshes the token', async () => {
    const client = new DicomWebClient(orthanc.dicomweb, { retryDelayMs: 10 });
    await assert.rejects(client.seriesMetadata(wsi.study, '1.2.3.4'), (e) => e.code === ErrorCode.httpError && /404/.test(e.message));
    await assert.rejects(open(`${orthanc.dicomweb}/studies/${wsi.study}/series/${wsi.series}/instances/9.9.9`), (e) => e.code === ErrorCode.httpError);
    orthanc.inject({ match: /\/frames\//, status: 406, times: 1 });
    const web = await openSlide(series(), { dicomweb: { retryDelayMs: 10 }, caches: false });
    await assert.rejects(web.getPatch(2, 0, 0, 10, 10), (e) => e.code === ErrorCode.httpError && /406/.test(e.message));
    orthanc.inject({ match: /\/frames\//, status: 429, times: 1, retryAfter: 0 });
    orthanc.inject({ match: /\/frames\//, status: 503, times: 1 });
    orthanc.clearLog();
    const p = await web.getPatch(2, 0, 0, 10, 10);
    assert.equal(diff(p.data, crop(npy(wsi.levels[2].npy[0]), 0, 0, 10, 10)).max, 0);
    assert.equal(orthanc.log.filter((r) => r.url.includes('/frames/')).length, 3, 'two failures, then the frames');
    assert.ok(web.stats.notes.some((n) => /429/.test(n)));
    await web.close();
    orthanc.clearFaults();
    // A token: the first is refused (401), the refreshed one is sent again.
    let calls = 0;
    orthanc.inject({ match: /\/metadata/, status: 401, times: 1 });
    const authed = new DicomWebClient(orthanc.dicomweb, { token: (refresh) => { calls++; return refresh ? 'fresh' : 'stale'; } });
    orthanc.clearLog();
    const meta = await authed.seriesMetadata(wsi.study, wsi.series);
    assert.equal(meta.length, files.length);
    assert.deepEqual(orthanc.log.map((r) => r.authorization), ['Bearer stale', 'Bearer fresh']);
    assert.equal(calls, 2);
    orthanc.clearFaults();
  });

  test('multipart parsing: Content-Length or delimiters, quoted boundaries', () => {
    const enc = new TextEncoder();
    const body = enc.encode('--b1\r\nContent-Type: application/octet-stream\r\n\r\nABC\r\n--b1\r\nContent-Type: image/jpeg; transfer-syntax=1.2\r\nContent-Length: 2\r\n\r\nXY\r\n--b1--\r\n');
    const parts = parseMultipart(body, 'multipart/related; type="application/octet-stream"; boundary="b1"');
    assert.deepEqual(parts.map((p) => new TextDecoder().decode(p.body)), ['ABC', 'XY']);
    assert.throws(() => parseMultipart(body, 'application/json'), (e) => e.code === ErrorCode.httpError);
  });

  // The proxy runs in this process: the CLI runs asynchronously so that it can answer.
  test('lazydcm region <dicomweb-series-url> --level k equals the file form; lazydcm slide', async () => {
    const run = promisify(execFile);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazydcm-slide-'));
    const a = path.join(dir, 'web.npy'), b = path.join(dir, 'file.npy');
    await run(process.execPath, [cli, 'region', series(), '--level', '1', '--rows', '40:200', '--cols', '10:330', '--out', a]);
    await run(process.execPath, [cli, 'region', path.join(fixtures, 'wsi'), '--level', '1', '--rows', '40:200', '--cols', '10:330', '--out', b]);
    const ra = npy(a), rb = npy(b);
    assert.deepEqual(ra.shape, [160, 320, 3]);
    assert.equal(diff(ra.data, rb.data).max, 0);
    assert.equal(diff(ra.data, crop(npy(wsi.levels[1].npy[0]), 10, 40, 320, 160)).max, 0);
    const info = JSON.parse((await run(process.execPath, [cli, 'slide', series(), '--json'])).stdout);
    assert.deepEqual(info.levels.map((l) => l.magnification), ['40X', '20X', '10X']);
    assert.ok(info.label && info.overview && info.thumbnail);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
