// Real Chromium (Playwright): the page loads the WASM from one origin and reads DICOM files by
// HTTP Range from another (so CORS is really exercised), and from a picked local File.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launchChromium } from '../../scripts/lib/chromium.mjs';
import { startNginx } from '../../scripts/lib/nginx.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');
const index = JSON.parse(fs.readFileSync(path.join(fixtures, 'index.json'), 'utf8'));

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
