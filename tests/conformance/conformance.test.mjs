// The conformance tier in Node: every fixture from the real writers (make_fixtures.py) read through
// the public API from local files and from a real nginx by Range, against its independent
// reference; and what a remote region costs, from nginx's own access log.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import * as lib from '../../web/dist/index.js';
import { startNginx } from '../../scripts/lib/nginx.mjs';
import { checkFixture, parseNpy } from './check.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(root, 'build/conformance');
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
const readRef = async (rel) => parseNpy(new Uint8Array(fs.readFileSync(path.join(dir, rel))));
const fixture = (name) => manifest.fixtures.find((f) => f.name === name);

describe('conformance: local files', () => {
  for (const fx of manifest.fixtures) {
    test(`${fx.name} (${fx.writer})`, async () => {
      const r = await checkFixture(lib, fx, { base: dir, readRef });
      assert.deepEqual(r.failures, [], r.failures.join('\n'));
      assert.ok(r.checks > 0);
    });
  }
});

test('a lying table: concurrent reads that fail together share one re-index and all read right', async () => {
  const fx = fixture('lying-bot');
  const ref = await readRef(fx.reference);
  const inst = await lib.open(path.join(dir, fx.files[0]), { caches: false });
  const n = ref.shape[0], per = ref.bytes.length / n;
  const frames = await Promise.all(Array.from({ length: n }, (_, k) => inst.getStoredFrame(k + 1)));
  frames.forEach((f, k) => assert.deepEqual(new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength), ref.bytes.subarray(k * per, (k + 1) * per)));
  assert.equal(inst.summary.frameIndex.kind, 'fragment_scan');
  assert.equal(inst.summary.frameIndex.notes.filter((x) => x.includes('re-indexed')).length, 1, 'one re-index');
  await inst.close();
});

describe('conformance: over HTTP Range (nginx)', () => {
  let server;
  before(async () => { server = await startNginx(dir); });
  after(async () => { await server?.stop(); });

  for (const fx of manifest.fixtures) {
    test(`${fx.name} (${fx.writer})`, async () => {
      const r = await checkFixture(lib, fx, { base: server.url, readRef });
      assert.deepEqual(r.failures, [], r.failures.join('\n'));
    });
  }

  /** Bytes nginx sent for an open and then one 512 x 512 region of level 0 (no maxGap: only touched tiles). */
  async function regionCost(level, options = {}) {
    server.clearLog();
    const inst = await lib.open(`${server.url}/${level.file}`, { caches: lib.createFrameCaches(), ...options });
    const openLog = await server.logSettled();
    server.clearLog();
    const region = await inst.getTotalPixelMatrix({ rowStart: 600, rowEnd: 1112, columnStart: 700, columnEnd: 1212, asIndices: true, stored: true, maxGap: 0 });
    const regionLog = await server.logSettled();
    const touched = region.frames.reduce((n, i) => n + inst.frames[i].length, 0);
    const sum = (log) => log.reduce((n, e) => n + e.bytes, 0);
    const cost = { open: sum(openLog), openRequests: openLog.length, region: sum(regionLog), regionRequests: regionLog.length, touched, kind: inst.summary.frameIndex.kind };
    await inst.close();
    return cost;
  }

  test('no offset table (PixelMed without TIFF): a remote region costs one scan of the file, <= 1.05x its size', async () => {
    const level = fixture('pixelmed-notable').levels[0];
    const c = await regionCost(level);
    assert.equal(c.kind, 'fragment_scan');
    assert.equal(c.region, 0, `the scan's bytes serve the region's tiles (${JSON.stringify(c)})`);
    assert.ok(c.open + c.region <= 1.05 * level.fileSize, `${c.open + c.region} bytes for a ${level.fileSize}-byte file`);
  });

  for (const name of ['pixelmed-tiff', 'pixelmed-bigtiff', 'highdicom-eot']) {
    test(`${name}: a remote region costs at most its touched tiles + the first read (and the table)`, async () => {
      const level = fixture(name).levels[0];
      const c = await regionCost(level);
      assert.ok(c.region <= c.touched, `region read ${c.region} bytes for ${c.touched} bytes of touched tiles`);
      // The first read (64 KiB) + for TIFF, the IFD at the end of the file (one 64 KiB read-ahead).
      assert.ok(c.open <= 2 * 64 * 1024 + 16 * 1024, `open read ${c.open} bytes in ${c.openRequests} requests`);
      assert.ok(c.open + c.region <= c.touched + 2 * 64 * 1024 + 16 * 1024);
    });
  }

  test('a small file: frames already in the first read cost no request', async () => {
    const fx = fixture('dcmtk-rle');
    server.clearLog();
    const inst = await lib.open(`${server.url}/${fx.files[0]}`, { caches: lib.createFrameCaches(), firstRead: 1 << 20 });
    assert.equal((await server.logSettled()).length, 1, 'one read holds the whole file');
    server.clearLog();
    await inst.getStoredFrames();
    assert.equal((await server.logSettled()).length, 0);
    await inst.close();
  });
});
