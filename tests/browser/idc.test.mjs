// IDC by identifier in Chromium against servers that behave like the two mirrors
// (scripts/lib/buckets.mjs): S3 over HTTP/1.1, whose CORS preflight answer lacks
// Access-Control-Allow-Headers, and GCS over HTTP/2 with TLS (a test certificate Chromium is told
// to trust), which answers multi-range requests with 400. Neither exposes Content-Range. The page
// is on another origin (nginx). Asserted from the servers' logs: no preflight, no multi-range or
// suffix range, HTTP/2 where GCS is read; values against the generator's; failover on a CORS error.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startBucketServer, testCertificate } from '../../scripts/lib/buckets.mjs';
import { launchChromium } from '../../scripts/lib/chromium.mjs';
import { startNginx } from '../../scripts/lib/nginx.mjs';
import { readNpy } from '../node/lib/npy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
execFileSync(process.execPath, [path.join(root, 'tests/fixtures/make-idc.mjs')], { stdio: 'inherit' });
const fx = JSON.parse(fs.readFileSync(path.join(root, 'build/fixtures/idc/idc.json'), 'utf8'));
const volume = JSON.parse(fs.readFileSync(path.join(root, 'build/fixtures/volume.json'), 'utf8'));
const demo = JSON.parse(fs.readFileSync(path.join(root, 'build/fixtures/demo.json'), 'utf8'));
const hu = Array.from(new Float64Array(readNpy(volume.ct.hu).bytes.slice().buffer));

let app, browser, s3, gcs;
before(async () => {
  app = await startNginx(root);
  s3 = await startBucketServer({ root: fx.buckets, kind: 's3' });
  gcs = await startBucketServer({ root: fx.buckets, kind: 'gcs', tls: true });
  browser = await launchChromium({ args: [`--ignore-certificate-errors-spki-list=${gcs.spki}`] });
});
after(async () => {
  await browser?.close();
  await s3?.stop();
  await gcs?.stop();
  await app?.stop();
});

async function run(mirror) {
  const page = await browser.context.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });  // each run asks the servers
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${app.url}/tests/browser/pages/idc.html`);
  await page.waitForFunction(() => window.ready === true);
  const tables = { index: `${gcs.url}${fx.tablePaths.index}`, sm_instance_index: `${gcs.url}${fx.tablePaths.sm_instance_index}` };
  const r = await page.evaluate((a) => window.runIdc(a), {
    tables, endpoints: { aws: s3.url, gcs: gcs.url, gcsApi: gcs.url }, mirror, ctUid: fx.ct.SeriesInstanceUID, slideUid: fx.slide.SeriesInstanceUID,
  });
  await page.close();
  assert.deepEqual(errors, []);
  return r;
}

function checkValues(r) {
  assert.equal(r.rows, fx.counts.pancreas_ct_CT);
  assert.deepEqual(r.volume, hu);
  const l0 = readNpy(demo.slide.levels[0].npy), cols = demo.slide.levels[0].cols;
  for (let y = 0; y < 8; y++) for (let x = 0; x < 16; x++) {
    for (let k = 0; k < 3; k++) assert.equal(r.patch[(y * 16 + x) * 3 + k], l0.bytes[((512 + y) * cols + 256 + x) * 3 + k]);
  }
  assert.equal(r.levels, demo.slide.levels.length);
}

function checkLog(log, label) {
  assert.ok(log.length > 0, `${label}: asked`);
  assert.deepEqual(log.filter((l) => l.method === 'OPTIONS'), [], `${label}: no CORS preflight`);
  assert.deepEqual(log.filter((l) => l.range && (l.range.includes(',') || /bytes=-/.test(l.range))), [], `${label}: no multi-range or suffix range`);
  // Only CORS-safelisted request headers: nothing that would need a preflight.
  const unsafe = log.flatMap((l) => l.headers.filter((h) => !['host', 'connection', 'range', 'accept', 'accept-language', 'accept-encoding', 'user-agent', 'origin',
    'referer', 'sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform', 'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest', 'cache-control', 'pragma',
    'priority', 'if-none-match', 'if-modified-since', 'if-range'].includes(h)));  // the last three: Chromium's HTTP cache revalidating, not the script
  assert.deepEqual([...new Set(unsafe)], [], `${label}: request headers`);
}

test('GCS over HTTP/2 (TLS): tables, a CT series and a slide by UID, no preflight, no multi-range, sizes without Content-Range', async () => {
  s3.log.length = gcs.log.length = 0;
  const r = await run('gcs');
  checkValues(r);
  assert.equal(r.mirror, 'gcs');
  assert.equal(s3.log.length, 0, 'S3 not asked');
  checkLog(gcs.log, 'gcs');
  assert.ok(gcs.log.every((l) => l.version === '2.0'), `HTTP/2 throughout: ${[...new Set(gcs.log.map((l) => l.version))]}`);
  // Content-Range is not exposed: sizes came from Content-Length (HEAD).
  assert.ok(gcs.log.some((l) => l.method === 'HEAD'), `sizes by HEAD: ${[...new Set(gcs.log.map((l) => l.method))]}`);
  const c = r.query;
  console.log(`# collection + modality in Chromium: ${c.bytes} of ${c.fileBytes} bytes (${(100 * c.bytes / c.fileBytes).toFixed(1)}%), ${c.requests} requests, ${c.rowGroupsRead} of ${c.rowGroups} row groups`);
  assert.ok(c.bytes < c.fileBytes / 6);
});

test('S3 over HTTP/1.1: the same, objects from S3 (tables from the release bucket on GCS)', async () => {
  s3.log.length = gcs.log.length = 0;
  const r = await run('aws');
  checkValues(r);
  assert.equal(r.mirror, 'aws');
  checkLog(s3.log, 's3');
  checkLog(gcs.log, 'gcs');
  assert.ok(s3.log.every((l) => l.version === '1.1'));
  assert.ok(!gcs.log.some((l) => l.path.startsWith('/idc-open-data/')), 'no object from GCS');
});

test('failover: S3 answering without CORS headers (a browser sees a network error) — everything read from GCS, the switch noted', async () => {
  s3.log.length = gcs.log.length = 0;
  s3.fail('cors');
  try {
    const r = await run('aws');
    checkValues(r);
    assert.equal(r.mirror, 'gcs');
    assert.ok(r.notes.some((n) => /IDC mirror aws failed .*reading from gcs/.test(n)), r.notes.join('\n'));
    assert.ok(gcs.log.some((l) => l.path.startsWith('/idc-open-data/') && l.range), 'objects from GCS');
    checkLog(gcs.log, 'gcs');
  } finally {
    s3.fail(null);
  }
});

test('the demo pages: the collection browser finds a patient\'s series and opens it in the volume viewer; a slide opens by UID', async () => {
  const local = new URLSearchParams({ index: `${gcs.url}${fx.tablePaths.index}`, sm: `${gcs.url}${fx.tablePaths.sm_instance_index}`, aws: s3.url, gcs: gcs.url });
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${app.url}/examples/idc.html?patient=${fx.ct.PatientID}&${local}`);
  await page.waitForSelector('body[data-state=ready], body[data-state=error]', { timeout: 60000 });
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready', await page.textContent('#error'));
  const rows = await page.$$eval('#series-table tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(rows.map((r) => r[2]), [fx.ct.SeriesInstanceUID]);
  assert.match(await page.textContent('#status'), /1 series, .* requests, .* of the .* MB table/);
  await Promise.all([page.waitForNavigation(), page.click('#series-table a')]);
  await page.waitForSelector('body[data-state=ready], body[data-state=error]', { timeout: 60000 });
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready', await page.textContent('#error'));
  assert.deepEqual(await page.evaluate(() => window.demo.volume.shape), volume.ct.shape);
  await page.goto(`${app.url}/examples/slide.html?idc=${fx.slide.SeriesInstanceUID}&${local}`);
  await page.waitForSelector('body[data-state=ready], body[data-state=error]', { timeout: 60000 });
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready', await page.textContent('#error'));
  assert.equal(await page.evaluate(() => window.demo.slide.levels.length), demo.slide.levels.length);
  assert.deepEqual(errors, []);
  await page.close();
});
