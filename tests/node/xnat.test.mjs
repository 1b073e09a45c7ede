// XNAT: a scan's DICOM files listed through the REST API and read like any URL, against a test
// server built from XNAT's documented responses (tests/node/lib/xnat-server.mjs; XNAT itself cannot
// run here): basic authentication and a session, the non-DICOM file left out, whole files where
// Range is ignored, the generator's HU values, clear errors without credentials.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ErrorCode, LazydcmError, openSeries, xnatFiles, xnatSession } from '../../web/dist/index.js';
import { readNpy } from './lib/npy.mjs';
import { startXnat } from './lib/xnat-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ct = JSON.parse(fs.readFileSync(path.join(root, 'build/fixtures/volume.json'), 'utf8')).ct;
const hu = Array.from(new Float64Array(readNpy(ct.hu).bytes.slice().buffer));

let xnat;
before(async () => { xnat = await startXnat({ files: ct.series }); });
after(async () => { await xnat?.stop(); });

const scan = () => ({ base: xnat.base, project: xnat.project, subject: xnat.subject, experiment: xnat.experiment, scan: xnat.scan });

test('basic authentication: the scan\'s DICOM files listed (the snapshot left out), read whole (Range ignored), the generator\'s volume', async () => {
  xnat.log.length = 0;
  const files = await xnatFiles({ ...scan(), user: xnat.user, password: xnat.password });
  assert.equal(files.length, ct.series.length);
  assert.ok(files.every((f) => f.name.startsWith(`${xnat.base}/data/experiments/XNAT_E00007/`)), files[0].name);
  const series = await openSeries(files);
  const v = await series.getVolume();
  assert.deepEqual(Array.from(v.data), hu);
  assert.ok(series.stats.notes.some((n) => /server ignored Range/.test(n)), series.stats.notes.join('\n'));
  assert.ok(xnat.log.every((l) => l.auth === 'basic'));
  assert.ok(!xnat.log.some((l) => /snapshot/.test(l.path)));
  // Each file was fetched once (whole), not once per range.
  const gets = xnat.log.filter((l) => l.method === 'GET' && /\/files\//.test(l.path));
  assert.equal(gets.length, ct.series.length);
  await series.close();
});

test('a session: JSESSION login once, then the cookie', async () => {
  const session = await xnatSession(xnat.base, xnat.user, xnat.password);
  assert.match(session, /^[0-9A-F]{32}$/);
  xnat.log.length = 0;
  const series = await openSeries(await xnatFiles({ ...scan(), session }));
  assert.deepEqual(Array.from((await series.getVolume()).data), hu);
  assert.ok(xnat.log.every((l) => l.auth === 'session'));
  await series.close();
});

test('without credentials or with a wrong password: an httpError naming the 401, no retries', async () => {
  xnat.log.length = 0;
  await assert.rejects(xnatFiles(scan()), (e) => e instanceof LazydcmError && e.code === ErrorCode.httpError && /HTTP 401/.test(e.message));
  assert.equal(xnat.log.length, 1, 'a 401 is not retried');
  await assert.rejects(xnatSession(xnat.base, xnat.user, 'wrong'), (e) => e.code === ErrorCode.httpError && /401/.test(e.message));
  await assert.rejects(xnatFiles({ ...scan(), scan: '99', user: xnat.user, password: xnat.password }), /HTTP 404/);
});
