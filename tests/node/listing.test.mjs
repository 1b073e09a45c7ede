// Series from bucket prefixes through the real listing APIs: S3 ListObjectsV2 served by s3rver
// (npm) with the objects read from it by Range, and the GCS JSON API from a listing test server
// with the objects read from nginx by Range; paged listings; IDC manifests; the CLI.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { LazydcmError, listObjects, openSeries, parseManifest } from '../../web/dist/index.js';
import { startNginx } from '../../scripts/lib/nginx.mjs';
import { startS3rver } from '../../scripts/lib/s3rver.mjs';
import { startGcsListing } from './lib/gcs-listing.mjs';
import { readNpy } from './lib/npy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');
const ct = JSON.parse(fs.readFileSync(path.join(fixtures, 'volume.json'), 'utf8')).ct;
const hu = Array.from(new Float64Array(readNpy(ct.hu).bytes.slice().buffer));
const run = promisify(execFile);
const series = 'a1b2c3d4-0000-4000-8000-000000000001';

describe('S3: s3rver on 127.0.0.1', () => {
  let s3, endpoint;
  before(async () => {
    s3 = await startS3rver(['idc-open-data']);
    endpoint = s3.url;
    for (const f of ct.series) await s3.put('idc-open-data', `${series}/${path.basename(f)}`, fs.readFileSync(f));
    await s3.put('idc-open-data', 'other-series/x.dcm', fs.readFileSync(ct.enhanced));
  });
  after(async () => { await s3?.stop(); });

  test('listing pages through continuation tokens and keeps to the prefix', async () => {
    const urls = await listObjects(`s3://idc-open-data/${series}/`, { s3Endpoint: endpoint, pageSize: 3 });
    assert.equal(urls.length, ct.series.length);
    assert.ok(urls.every((u) => u.startsWith(`s3://idc-open-data/${series}/`)));
  });

  test('openSeries(s3://bucket/series/) reads the volume by Range', async () => {
    const s = await openSeries(`s3://idc-open-data/${series}/`, { http: { s3Endpoint: endpoint } });
    assert.equal(s.instances.length, ct.series.length);
    const v = await s.getVolume();
    assert.deepEqual(Array.from(v.data), hu);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) assert.ok(Math.abs(v.affine[r][c] - ct.affine[r][c]) < 1e-6);
    await s.close();
  });

  test('an IDC manifest (s5cmd lines) and the CLI', async () => {
    const manifest = `# exported by the IDC portal\ncp s3://idc-open-data/${series}/* .\n`;
    assert.deepEqual(parseManifest(manifest), [`s3://idc-open-data/${series}/*`]);
    const s = await openSeries(parseManifest(manifest), { http: { s3Endpoint: endpoint } });
    assert.equal(s.instances.length, ct.series.length);
    await s.close();
    const { stdout } = await run(process.execPath, [path.join(root, 'web/dist/cli/main.js'), 'volume', `s3://idc-open-data/${series}/`,
      '--s3-endpoint', endpoint]);
    assert.deepEqual(JSON.parse(stdout).shape, ct.shape);
    await assert.rejects(openSeries('s3://idc-open-data/no-such-series/', { http: { s3Endpoint: endpoint } }), LazydcmError);
  });
});

describe('GCS: the JSON API listing, objects from nginx', () => {
  let nginx, gcs;
  before(async () => {
    nginx = await startNginx(fixtures);
    gcs = await startGcsListing(fixtures);
  });
  after(async () => {
    await nginx?.stop();
    await gcs?.stop();
  });

  test('gs://bucket/prefix* lists page by page and opens the series', async () => {
    const http = { gcsEndpoint: nginx.url, gcsApiEndpoint: gcs.url, pageSize: 3 };
    const urls = await listObjects('gs://volume/ct_0*', http);
    assert.equal(urls.length, ct.series.length);
    assert.ok(gcs.requests.length >= 3, 'paged');
    nginx.clearLog();
    const s = await openSeries('gs://volume/ct_0*', { http });
    const v = await s.getVolume();
    assert.deepEqual(Array.from(v.data), hu);
    const log = await nginx.logSettled();
    assert.ok(log.every((l) => l.status === 206 || l.status === 200));
    await s.close();
    await assert.rejects(listObjects('gs://no-bucket/x/', http), (e) => e instanceof LazydcmError && /HTTP 404/.test(e.message));
  });
});
