// Zip archives: the central directory read with ranges from the end, stored entries read by range
// inside the archive, deflated entries inflated, `archive.zip?folder/` selecting a folder — locally
// and from a real nginx whose log shows the archive is never read whole.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { createFrameCaches, ErrorCode, LazydcmError, open, openSegmentation, openSeries, ZipArchive, NodeFileSource } from '../../web/dist/index.js';
import { startNginx } from '../../scripts/lib/nginx.mjs';
import { readNpy } from './lib/npy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');
const manifest = JSON.parse(fs.readFileSync(path.join(fixtures, 'volume.json'), 'utf8'));
const { ct, zip } = manifest;
const hu = Array.from(new Float64Array(readNpy(ct.hu).bytes.slice().buffer));
const liver = readNpy(manifest.segs.binary.masks['1']).bytes;

describe('zip archives', () => {
  test('entries from the central directory', async () => {
    const a = await ZipArchive.open(new NodeFileSource(zip.file));
    assert.equal(a.list('series/').length, ct.series.length + 1);
    assert.equal(a.entry('seg/seg_binary.dcm').method, 8);
    assert.equal(a.entry('series/' + path.basename(ct.series[0])).method, 0);
    await a.close();
  });

  test('a folder of a local zip as a series; a deflated entry as a SEG', async () => {
    const s = await openSeries(`${zip.file}?${zip.series_folder}`);
    assert.equal(s.instances.length, ct.series.length);
    assert.deepEqual(s.skipped.map((x) => path.basename(x.source)), ['README.txt']);
    const v = await s.getVolume();
    assert.deepEqual(Array.from(v.data), hu);
    await s.close();
    const seg = await openSegmentation(`${zip.file}?${zip.seg_entry}`);
    const m = await seg.getVolume({ segmentNumbers: [1], combineSegments: true, reference: v });
    assert.deepEqual(Array.from(m.data), Array.from(liver));
    await seg.close();
  });

  test('bad archives: clear errors', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazydcm-z-'));
    const bytes = fs.readFileSync(zip.file);
    fs.writeFileSync(path.join(dir, 'cut.zip'), bytes.subarray(0, bytes.length - 30));
    await assert.rejects(openSeries(path.join(dir, 'cut.zip')), (e) => e instanceof LazydcmError && e.code === ErrorCode.invalidArchive);
    fs.writeFileSync(path.join(dir, 'lying.zip'), Buffer.concat([bytes.subarray(0, bytes.length - 6), Buffer.from([0xff, 0xff, 0xff, 0x7f, 0, 0])]));
    await assert.rejects(openSeries(path.join(dir, 'lying.zip')), (e) => e.code === ErrorCode.invalidArchive && /past the end/.test(e.message));
    await assert.rejects(open(`${zip.file}?series/nope.dcm`), (e) => e.code === ErrorCode.invalidArchive && /no entry/.test(e.message));
  });
});

describe('a zip on a web server', () => {
  let server;
  before(async () => { server = await startNginx(fixtures); });
  after(async () => { await server?.stop(); });

  test('ranges only: the series volume without reading the archive whole', async () => {
    const size = fs.statSync(zip.file).size;
    server.clearLog();
    const s = await openSeries(`${server.url}/volume/ct.zip?series/`, { caches: createFrameCaches(), firstRead: 4096 });
    const v = await s.getVolume();
    assert.deepEqual(Array.from(v.data), hu);
    const log = await server.logSettled();
    assert.ok(log.every((l) => l.status === 206), 'every read is a Range request');
    assert.ok(log.every((l) => l.bytes < size / 2), 'no read of the whole archive');
    await s.close();
  });
});
