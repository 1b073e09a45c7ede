// The conformance tier in Chromium: every real writer's fixture read by the page from another
// origin by Range (the same checks as in Node, tests/conformance/check.mjs, run in the page), and
// the slide viewer (examples/slide.html) showing a PixelMed dual-personality slide and a
// highdicom-style EOT slide pixel-true against PIL's decode of their tiles.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launchChromium } from '../../scripts/lib/chromium.mjs';
import { startNginx } from '../../scripts/lib/nginx.mjs';
import { screenshotPixels } from '../browser/lib/png.mjs';
import { compare, rgbWindow, settle } from '../browser/lib/screen.mjs';
import { readNpy } from '../node/lib/npy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(root, 'build/conformance');
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));

let app, data, browser;
before(async () => {
  app = await startNginx(root);  // the page, the package and check.mjs
  data = await startNginx(dir);  // the fixtures, on another origin
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await app?.stop();
  await data?.stop();
});

describe('conformance in Chromium (fixtures cross-origin by Range)', () => {
  test('every fixture reads right in the page', async () => {
    const page = await browser.context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(`${app.url}/tests/browser/pages/info.html`);
    const results = await page.evaluate(async ({ fixtures, base }) => {
      const lib = await import('/web/dist/browser.js');
      const { checkFixture, parseNpy } = await import('/tests/conformance/check.mjs');
      const readRef = async (rel) => parseNpy(new Uint8Array(await (await fetch(`${base}/${rel}`)).arrayBuffer()));
      const out = [];
      for (const fx of fixtures) {
        try {
          const r = await checkFixture(lib, fx, { base, readRef });
          out.push({ name: fx.name, failures: r.failures, checks: r.checks });
        } catch (e) {
          out.push({ name: fx.name, failures: [`${e.codeName ?? e.name}: ${e.message}`], checks: 0 });
        }
      }
      return out;
    }, { fixtures: manifest.fixtures, base: data.url });
    assert.equal(results.length, manifest.fixtures.length);
    const failed = results.filter((r) => r.failures.length);
    assert.deepEqual(failed, [], failed.map((r) => `${r.name}: ${r.failures.join('; ')}`).join('\n'));
    assert.ok(results.every((r) => r.checks > 0));
    await page.close();
  });
});

describe('the slide viewer on real writers\' slides', () => {
  for (const name of ['pixelmed-tiff', 'highdicom-eot']) {
    test(`${name}: level 0 at 1:1 on screen equals the tiles as PIL decodes them`, async () => {
      const fx = manifest.fixtures.find((f) => f.name === name);
      const src = fx.levels.map((l) => `${data.url}/${l.file}`).join(' ');
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 1400, height: 1000 });
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${app.url}/examples/slide.html?src=${encodeURIComponent(src)}`);
      await page.waitForSelector('body[data-state=ready], body[data-state=error]', { timeout: 60000 });
      assert.equal(await page.getAttribute('body', 'data-state'), 'ready', `${await page.textContent('#error')} ${errors}`);
      // Canvas (0, 0) is level-0 (1100 - 480, 800 - 320): a window across 5 x 4 tiles of 256.
      await page.evaluate(() => window.demo.view.setView({ x: 1100, y: 800, zoom: 1 }));
      await settle(page);
      const shot = await screenshotPixels(page, '#canvas');
      assert.equal(shot.width, 960);
      const mosaic = readNpy(path.join(dir, fx.levels[0].mosaic));
      const c = compare(shot, rgbWindow(mosaic, 620, 480, 960, 640), 2);
      assert.equal(c.bad, 0, c.first);
      assert.equal(await page.evaluate(() => window.demo.view.failed.size), 0);
      await page.close();
    });
  }
});
