// The demo page (examples/) on the public API: open a bundled sample and check what it shows
// against pydicom's reading of the same file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launchChromium } from '../../scripts/lib/chromium.mjs';
import { startNginx } from '../../scripts/lib/nginx.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const index = JSON.parse(fs.readFileSync(path.join(root, 'build/fixtures/index.json'), 'utf8'));
let app, browser;
before(async () => {
  app = await startNginx(root);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

test('the demo page shows a bundled slide\'s summary, index and cost', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${app.url}/examples/?src=/build/fixtures/index/large_tiff.dcm`);
  await page.waitForSelector('body[data-state]');
  assert.equal(await page.getAttribute('body', 'data-state'), 'shown', await page.textContent('#error'));
  const summary = await page.textContent('#summary');
  const expect = index.large_tiff.pydicom;
  assert.match(summary, new RegExp(`${expect.rows} × ${expect.columns}`));
  assert.match(summary, /tiff_tile_table \(900 frames\)/);
  assert.match(summary, /VL Whole Slide Microscopy Image Storage/);
  assert.equal(await page.locator('#frames tbody tr').count(), 20);
  const stats = await page.textContent('#stats');
  const bytes = Number(/Bytes read([\d,]+)/.exec(stats)[1].replace(/,/g, ''));
  assert.ok(bytes < 200 * 1024, `${bytes} bytes read`);
  if (process.env.LAZYDCM_SCREENSHOTS) await page.screenshot({ path: path.join(root, 'docs/demo-info.png'), fullPage: false });
});
