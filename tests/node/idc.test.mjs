// IDC by identifier against a test copy of the idc-index tables (tests/fixtures/make-idc.mjs:
// 120,002 series rows in 25 row groups) and servers that behave like the two mirrors
// (scripts/lib/buckets.mjs): queries return the rows the generator wrote while reading a fraction
// of the table; a series and a slide open by UID from either mirror, with failover; the CLI.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { Idc, MemoryStore, openSeries, openSlide, PersistentCache } from '../../web/dist/index.js';
import { startBucketServer } from '../../scripts/lib/buckets.mjs';
import { readNpy } from './lib/npy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
execFileSync(process.execPath, [path.join(root, 'tests/fixtures/make-idc.mjs')], { stdio: 'inherit' });
const fx = JSON.parse(fs.readFileSync(path.join(root, 'build/fixtures/idc/idc.json'), 'utf8'));
const volume = JSON.parse(fs.readFileSync(path.join(root, 'build/fixtures/volume.json'), 'utf8'));
const demo = JSON.parse(fs.readFileSync(path.join(root, 'build/fixtures/demo.json'), 'utf8'));
const hu = Array.from(new Float64Array(readNpy(volume.ct.hu).bytes.slice().buffer));
const cli = path.join(root, 'web/dist/cli/main.js');
const run = promisify(execFile);
const tables = { index: fx.index, sm_instance_index: fx.sm_instance_index, sm_index: fx.sm_index };
const fileBytes = fs.statSync(fx.index).size;

describe('the idc-index tables, read by range', () => {
  test('a collection and modality: the generator\'s series, from the row groups the statistics allow', async () => {
    const idc = new Idc({ tables });
    const rows = await idc.series({ collection: 'pancreas_ct', modality: 'CT' });
    assert.equal(rows.length, fx.counts.pancreas_ct_CT);
    assert.ok(rows.every((r) => r.collection_id === 'pancreas_ct' && r.Modality === 'CT'));
    assert.ok(rows.some((r) => r.SeriesInstanceUID === fx.ct.SeriesInstanceUID), 'the real CT series is among them');
    const c = idc.lastQuery;
    console.log(`# collection + modality: ${rows.length} rows, ${c.bytes} of ${fileBytes} bytes (${(100 * c.bytes / fileBytes).toFixed(1)}%), ${c.requests} requests, ${c.rowGroupsRead} of ${c.rowGroups} row groups`);
    // The collection's 12,000 rows (sorted together) lie in at most 4 of the 25 row groups of 5,000.
    assert.ok(c.rowGroupsRead <= 4, `${c.rowGroupsRead} row groups read`);
    assert.ok(c.bytes < fileBytes / 6, `${c.bytes} of ${fileBytes} bytes`);
  });

  test('a patient: exactly their series; studies group them', async () => {
    const idc = new Idc({ tables });
    const rows = await idc.series({ patient: fx.patient.id });
    assert.deepEqual(rows.map((r) => r.SeriesInstanceUID).sort(), fx.patient.series);
    const c = idc.lastQuery;
    console.log(`# patient: ${rows.length} rows, ${c.bytes} bytes (${(100 * c.bytes / fileBytes).toFixed(1)}%), ${c.rowGroupsRead} of ${c.rowGroups} row groups`);
    assert.ok(c.bytes < fileBytes / 8);
    const studies = await idc.studies({ patient: fx.patient.id });
    assert.equal(studies.reduce((a, s) => a + s.series, 0), rows.length);
    assert.ok(studies.every((s) => s.PatientID === fx.patient.id && s.modalities.length >= 1));
  });

  test('slides of a collection with their sm_index rows: the demo slide\'s size and spacing as the generator wrote them', async () => {
    const idc = new Idc({ tables });
    const slides = await idc.slides({ collection: 'ccdi_mci' });
    assert.equal(slides.length, fx.counts.ccdi_mci_SM);
    assert.ok(slides.every((s) => s.Modality === 'SM' && typeof s.max_TotalPixelMatrixColumns === 'number'));
    const mine = slides.find((s) => s.SeriesInstanceUID === fx.slide.SeriesInstanceUID);
    const l0 = demo.slide.levels[0];
    assert.deepEqual([mine.max_TotalPixelMatrixColumns, mine.max_TotalPixelMatrixRows, mine.min_PixelSpacing_2sf, mine.ObjectiveLensPower],
      [l0.cols, l0.rows, l0.spacing, 20]);
  });

  test('a series UID: one row; the UID column of every row group is read (UIDs are not sorted), the rest of one group', async () => {
    const idc = new Idc({ tables });
    const [row] = await idc.series({ series: fx.ct.SeriesInstanceUID });
    assert.equal(row.crdc_series_uuid, fx.ct.crdc_series_uuid);
    assert.equal(row.instanceCount, fx.ct.instanceCount);
    const c = idc.lastQuery;
    console.log(`# series UID: ${c.bytes} bytes (${(100 * c.bytes / fileBytes).toFixed(1)}%), ${c.requests} requests`);
    assert.ok(c.bytes < fileBytes / 2);
    await assert.rejects(idc.seriesRow('1.2.3.4.5.6.7'), /not in the IDC index/);
    await assert.rejects(idc.series({}), /needs a collection/);
  });
});

describe('objects from the two mirrors', () => {
  let s3, gcs;
  before(async () => {
    s3 = await startBucketServer({ root: fx.buckets, kind: 's3' });
    gcs = await startBucketServer({ root: fx.buckets, kind: 'gcs' });
  });
  after(async () => {
    await s3?.stop();
    await gcs?.stop();
  });
  const endpoints = () => ({ aws: s3.url, gcs: gcs.url, gcsApi: gcs.url });
  const checkLog = (log) => {
    assert.ok(!log.some((l) => l.method === 'OPTIONS'), 'no preflight');
    assert.ok(!log.some((l) => l.range && (l.range.includes(',') || /bytes=-/.test(l.range))), 'no multi-range or suffix range');
  };

  for (const mirror of ['aws', 'gcs']) {
    test(`a CT series by UID from ${mirror}: listed (only .dcm), read by range, the generator's HU values`, async () => {
      s3.log.length = gcs.log.length = 0;
      const idc = new Idc({ tables, mirror, endpoints: endpoints() });
      const files = await idc.seriesUid(fx.ct.SeriesInstanceUID);
      assert.equal(files.length, fx.ct.files, 'README.txt is not a file of the series');
      const series = await openSeries(files);
      const v = await series.getVolume();
      assert.deepEqual(Array.from(v.data), hu);
      const used = mirror === 'aws' ? s3 : gcs, other = mirror === 'aws' ? gcs : s3;
      assert.equal(other.log.length, 0, 'the other mirror is not asked');
      assert.ok(used.log.some((l) => l.range), 'read by range');
      assert.ok(!used.log.some((l) => /README/.test(l.path)), 'the non-DICOM object is not read');
      checkLog(used.log);
      assert.deepEqual(await idc.files(fx.ct.SeriesInstanceUID), files.map((f) => `s3://idc-open-data/${f.name.split('/').slice(-2).join('/')}`));
      await series.close();
    });
  }

  test('a slide by UID: instances from sm_instance_index (no listing), level 0 as the generator drew it', async () => {
    s3.log.length = 0;
    const idc = new Idc({ tables, endpoints: endpoints() });
    const files = await idc.slide(fx.slide.SeriesInstanceUID);
    assert.equal(files.length, fx.slide.sops.length);
    const slide = await openSlide(idc.slide(fx.slide.SeriesInstanceUID));  // the promise itself, as the issue writes it
    assert.equal(slide.levels.length, demo.slide.levels.length);
    const l0 = readNpy(demo.slide.levels[0].npy);
    const patch = await slide.getPatch(slide.levels[0], 256, 512, 64, 32);
    const cols = demo.slide.levels[0].cols;
    for (let y = 0; y < 32; y += 7) for (let x = 0; x < 64; x += 9) {
      for (let k = 0; k < 3; k++) assert.equal(patch.data[(y * 64 + x) * 3 + k], l0.bytes[((512 + y) * cols + 256 + x) * 3 + k], `pixel ${x},${y}`);
    }
    assert.ok(!s3.log.some((l) => l.query.includes('list-type')), 'no listing');
    checkLog(s3.log);
    await slide.close();
  });

  test('lazydcm idc series / studies / files / download (with resume)', async () => {
    const idcArgs = ['--index', fx.index, '--sm-instance-index', fx.sm_instance_index, '--s3-endpoint', s3.url, '--gcs-endpoint', gcs.url, '--gcs-api-endpoint', gcs.url];
    const { stdout, stderr } = await run(process.execPath, [cli, 'idc', 'series', '--collection', 'pancreas_ct', '--modality', 'CT', '--json', '--stats', ...idcArgs]);
    const rows = JSON.parse(stdout);
    assert.equal(rows.length, fx.counts.pancreas_ct_CT);
    assert.match(stderr, /"rowGroupsRead":\d+/);
    const table = (await run(process.execPath, [cli, 'idc', 'series', '--patient', fx.patient.id, ...idcArgs])).stdout.trim().split('\n');
    assert.equal(table[0].split('\t')[3], 'SeriesInstanceUID');
    assert.deepEqual(table.slice(1).map((l) => l.split('\t')[3]).sort(), fx.patient.series);
    const studies = JSON.parse((await run(process.execPath, [cli, 'idc', 'studies', '--patient', fx.patient.id, '--json', ...idcArgs])).stdout);
    assert.equal(studies.reduce((a, s) => a + s.series, 0), fx.patient.series.length);
    const files = (await run(process.execPath, [cli, 'idc', 'files', fx.ct.SeriesInstanceUID, ...idcArgs])).stdout.trim().split('\n');
    assert.equal(files.length, fx.ct.files);
    assert.ok(files.every((f) => f.startsWith(`s3://idc-open-data/${fx.ct.crdc_series_uuid}/`) && f.endsWith('.dcm')));
    // Download, then cut one file to a partial and run again: only its rest is read.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lazydcm-idc-'));
    await run(process.execPath, [cli, 'idc', 'download', fx.ct.SeriesInstanceUID, '--out', out, ...idcArgs]);
    const dir = path.join(out, fx.ct.SeriesInstanceUID);
    const src = path.join(fx.buckets, 'idc-open-data', fx.ct.crdc_series_uuid);
    const names = fs.readdirSync(dir).sort();
    assert.deepEqual(names, fs.readdirSync(src).filter((n) => n.endsWith('.dcm')).sort());
    for (const n of names) assert.ok(fs.readFileSync(path.join(dir, n)).equals(fs.readFileSync(path.join(src, n))), n);
    const victim = path.join(dir, names[3]), whole = fs.readFileSync(victim);
    fs.writeFileSync(`${victim}.part`, whole.subarray(0, 1000));
    fs.rmSync(victim);
    s3.log.length = 0;
    const again = await run(process.execPath, [cli, 'idc', 'download', fx.ct.SeriesInstanceUID, '--out', out, ...idcArgs]);
    assert.match(again.stderr, new RegExp(`${fx.ct.files}/${fx.ct.files} files complete`));
    assert.ok(fs.readFileSync(victim).equals(whole), 'resumed file');
    const reads = s3.log.filter((l) => l.method === 'GET' && l.range && l.path.endsWith('.dcm'));
    assert.ok(reads.some((l) => l.path.endsWith(names[3]) && /^bytes=1000-/.test(l.range)), 'continued from byte 1000');
    assert.ok(!reads.some((l) => !l.path.endsWith(names[3]) && !/^bytes=0-0$/.test(l.range)), 'complete files are not read again');
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('a persistent catalogue: a second session asks nothing for a query it made (trustMs) and never reads the footer again', async () => {
    const remote = { index: `${s3.url}${fx.tablePaths.index}`, sm_instance_index: `${s3.url}${fx.tablePaths.sm_instance_index}` };
    const store = new MemoryStore();
    const q = { collection: 'nlst', modality: 'MR' };
    const first = new Idc({ tables: remote, persistentCache: new PersistentCache({ store }) });
    const rows = await first.series(q);
    assert.ok(rows.length > 0 && rows.every((r) => r.collection_id === 'nlst' && r.Modality === 'MR'));
    assert.ok(!first.lastQuery.cached);
    // Trusted for a minute: the same query costs no request at all.
    s3.log.length = 0;
    const trusted = new Idc({ tables: remote, persistentCache: new PersistentCache({ store, trustMs: 60_000 }) });
    assert.deepEqual(await trusted.series(q), rows);
    assert.equal(s3.log.length, 0, JSON.stringify(s3.log));
    assert.ok(trusted.lastQuery.cached);
    // Not trusted: one check of the validator (first byte + HEAD for the size), the footer from the cache; a new query reads only its row groups.
    s3.log.length = 0;
    const checked = new Idc({ tables: remote, persistentCache: new PersistentCache({ store }) });
    assert.deepEqual(await checked.series(q), rows);
    assert.ok(s3.log.length <= 2, JSON.stringify(s3.log.map((l) => [l.method, l.range])));
    s3.log.length = 0;
    const other = await checked.series({ patient: fx.patient.id });
    assert.deepEqual(other.map((r) => r.SeriesInstanceUID).sort(), fx.patient.series);
    assert.ok(!s3.log.some((l) => l.range && Number(/bytes=(\d+)/.exec(l.range)[1]) > fileBytes - 64 * 1024), 'no footer read');
  });

  test('the test servers behave as the mirrors are reported to: multi-range is 400 on GCS and the whole object on S3; preflights lack Allow-Headers', async () => {
    const key = `/idc-open-data/${fx.ct.crdc_series_uuid}/`;
    const name = fs.readdirSync(path.join(fx.buckets, 'idc-open-data', fx.ct.crdc_series_uuid)).find((n) => n.endsWith('.dcm'));
    const size = fs.statSync(path.join(fx.buckets, 'idc-open-data', fx.ct.crdc_series_uuid, name)).size;
    const multi = { headers: { Range: 'bytes=0-9,20-29' } };
    const g = await fetch(`${gcs.url}${key}${name}`, multi);
    assert.equal(g.status, 400);
    const a = await fetch(`${s3.url}${key}${name}`, multi);
    assert.equal(a.status, 200);
    assert.equal((await a.arrayBuffer()).byteLength, size);
    const one = await fetch(`${s3.url}${key}${name}`, { headers: { Range: 'bytes=10-19' } });
    assert.equal(one.status, 206);
    assert.equal(one.headers.get('access-control-expose-headers'), null, 'Content-Range not exposed');
    const pre = await fetch(`${s3.url}${key}${name}`, { method: 'OPTIONS', headers: { Origin: 'http://x', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' } });
    assert.equal(pre.headers.get('access-control-allow-headers'), null);
  });

  test('mirror "auto": the one answering sooner (GCS here, S3 delayed by 300 ms), noted', async () => {
    s3.delay(300);
    try {
      const idc = new Idc({ tables, mirror: 'auto', endpoints: endpoints() });
      const files = await idc.seriesUid(fx.ct.SeriesInstanceUID);
      assert.equal(await idc.currentMirror(), 'gcs');
      assert.ok(idc.stats.notes.includes('IDC mirror chosen by latency: gcs'), idc.stats.notes.join('\n'));
      assert.ok(files[0].name.startsWith(gcs.url));
    } finally {
      s3.delay(0);
    }
  });

  test('failover: a 503 on the listing and a dead connection mid-read send everything to the other mirror, noted', async () => {
    const idc = new Idc({ tables, endpoints: endpoints(), http: { retries: 1 } });
    s3.fail(503);
    const files = await idc.seriesUid(fx.ct.SeriesInstanceUID);
    s3.fail(null);
    assert.equal(await idc.currentMirror(), 'gcs');
    assert.ok(idc.stats.notes.some((n) => /IDC mirror aws failed listing .*: reading from gcs/.test(n)), idc.stats.notes.join('\n'));
    // Mid-read: the series opened from S3, then S3 dies.
    const idc2 = new Idc({ tables, endpoints: endpoints(), http: { retries: 1 } });
    const files2 = await idc2.seriesUid(fx.ct.SeriesInstanceUID);
    const series = await openSeries(files2, { caches: false });
    s3.fail('network');
    gcs.log.length = 0;
    const v = await series.getVolume();
    s3.fail(null);
    assert.deepEqual(Array.from(v.data), hu);
    assert.equal(await idc2.currentMirror(), 'gcs');
    assert.ok(series.stats.notes.some((n) => /IDC mirror aws failed .*: reading from gcs/.test(n)), series.stats.notes.join('\n'));
    assert.ok(gcs.log.some((l) => l.range), 'the pixels came from GCS');
    assert.equal(files.length, files2.length);
    await series.close();
  });
});
