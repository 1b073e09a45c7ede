// getTotalPixelMatrix / `lazydcm region` on the built WASM against the numpy stitch of the tiles
// pydicom decodes (build/fixtures/tpm.json), highdicom's index conventions, and the cost of a
// remote region measured in a real nginx's request log.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { createFrameCaches, LazydcmError, open } from '../../web/dist/index.js';
import { copies } from '../../web/dist/wasm/core.js';
import { startNginx } from '../../scripts/lib/nginx.mjs';
import { readNpy } from './lib/npy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');
const manifest = JSON.parse(fs.readFileSync(path.join(fixtures, 'tpm.json'), 'utf8'));
const run = promisify(execFile);
const bytesOf = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('regions against the stitched reference', () => {
  for (const [name, m] of Object.entries(manifest)) {
    test(name, async () => {
      const inst = await open(m.file);
      try {
        for (const r of m.regions) {
          const want = readNpy(path.join(fixtures, 'tpm', r.npy));
          const sel = { focalPlane: m.selection.focalPlane, stored: true };
          // 0-based half-open, and the same region in highdicom's 1-based default.
          const a = await inst.getTotalPixelMatrix({ ...sel, asIndices: true, rowStart: r.rows[0], rowEnd: r.rows[1], columnStart: r.cols[0], columnEnd: r.cols[1] });
          const b = await inst.getTotalPixelMatrix({ ...sel, rowStart: r.rows[0] + 1, rowEnd: r.rows[1] + 1, columnStart: r.cols[0] + 1, columnEnd: r.cols[1] + 1 });
          assert.deepEqual(a.frames, r.frames, 'only the touched frames are decoded');
          assert.ok(bytesOf(a.data).equals(Buffer.from(want.bytes)), `rows ${r.rows} cols ${r.cols}`);
          assert.ok(bytesOf(b.data).equals(Buffer.from(want.bytes)), '1-based form');
        }
      } finally {
        await inst.close();
      }
    });
  }

  test('a region costs one copy into WASM per tile (its encoded bytes) and one copy out (the region); a decoded cache adds one copy out per tile', async () => {
    const m = manifest.jpeg_full;
    const r = m.regions.find((x) => x.frames.length > 1);
    const box = { asIndices: true, rowStart: r.rows[0], rowEnd: r.rows[1], columnStart: r.cols[0], columnEnd: r.cols[1], stored: true };
    const want = Buffer.from(readNpy(path.join(fixtures, 'tpm', r.npy)).bytes);
    for (const [caches, out] of [[false, 1], [createFrameCaches(), r.frames.length + 1]]) {
      const inst = await open(m.file, { caches });
      try {
        copies.reset();
        const got = await inst.getTotalPixelMatrix(box);
        assert.ok(bytesOf(got.data).equals(want));
        const tileBytes = r.frames.reduce((n, f) => n + inst.frameLocation(f).length, 0);
        assert.deepEqual({ in: copies.in, inBytes: copies.inBytes, out: copies.out }, { in: r.frames.length, inBytes: tileBytes, out },
          `caches ${caches ? 'on' : 'off'}`);
        if (!caches) assert.equal(copies.outBytes, got.data.byteLength, 'only the finished region comes out');
      } finally {
        await inst.close();
      }
    }
  });

  test('negative indices count from the end; 0 needs asIndices; several planes need a choice', async () => {
    const m = manifest.sparse16;
    const inst = await open(m.file);
    const full = readNpy(path.join(fixtures, 'tpm', m.regions[0].npy));  // the whole 150 x 230 matrix
    const r = await inst.getTotalPixelMatrix({ rowStart: -10, columnEnd: -1, stored: true });  // last 10 rows, all but the last column
    assert.deepEqual([r.rows, r.columns], [10, 229]);
    const u16 = new Uint16Array(full.bytes.slice().buffer);
    for (let y = 0; y < 10; y++) {
      for (let x = 0; x < 229; x++) assert.equal(r.data[y * 229 + x], u16[(140 + y) * 230 + x]);
    }
    await assert.rejects(inst.getTotalPixelMatrix({ rowStart: 0 }), (e) => e instanceof LazydcmError && e.codeName === 'invalidArgument');
    await assert.rejects(inst.getTotalPixelMatrix({ rowEnd: 152 }), LazydcmError);
    await inst.close();
    const two = await open(manifest.rgb_plane0.file);
    await assert.rejects(two.getTotalPixelMatrix({}), (e) => e instanceof LazydcmError && e.codeName === 'invalidImageAttributes');
    await two.close();
  });

  test('regions and frames read concurrently on one instance give the same pixels', async () => {
    const m = manifest.sparse16;
    const inst = await open(m.file);
    const [a, b, f] = await Promise.all([
      inst.getTotalPixelMatrix({ asIndices: true, rowStart: 60, rowEnd: 140, columnStart: 100, columnEnd: 200, stored: true }),
      inst.getTotalPixelMatrix({ stored: true }),
      inst.getStoredFrame(1),
    ]);
    assert.ok(bytesOf(a.data).equals(Buffer.from(readNpy(path.join(fixtures, 'tpm', m.regions[1].npy)).bytes)));
    assert.ok(bytesOf(b.data).equals(Buffer.from(readNpy(path.join(fixtures, 'tpm', m.regions[0].npy)).bytes)));
    assert.equal(f.rows, 64);
    await inst.close();
  });

  test('transforms by default: YBR JPEG tiles come back as float64 RGB', async () => {
    const inst = await open(manifest.jpeg_full.file);
    const r = await inst.getTotalPixelMatrix({ rowEnd: 11, columnEnd: 11 });
    assert.ok(r.data instanceof Float64Array);
    assert.equal(r.samplesPerPixel, 3);
    assert.match(r.transform, /YBR to RGB/);
    await inst.close();
  });

  test('lazydcm region writes the same as the API', async () => {
    const m = manifest.rgb_plane1;
    const reg = m.regions[1];
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lazydcm-r-')), 'r.npy');
    await run(process.execPath, [path.join(root, 'web/dist/cli/main.js'), 'region', m.file, '--rows', `${reg.rows[0]}:${reg.rows[1]}`,
      '--cols', `${reg.cols[0]}:`, '--focal-plane', '1', '--stored', '--out', out]);
    const got = readNpy(out);
    assert.deepEqual(got.shape, [reg.rows[1] - reg.rows[0], 230 - reg.cols[0], 3]);
    assert.ok(Buffer.from(got.bytes).equals(Buffer.from(readNpy(path.join(fixtures, 'tpm', reg.npy)).bytes)));
  });
});

describe('a remote region costs the header and the touched tiles', () => {
  let server;
  before(async () => { server = await startNginx(fixtures); });
  after(async () => { await server?.stop(); });

  test('512-ish region of a 900-tile slide: requests and bytes from the request log', async () => {
    const inst = await open(`${server.url}/index/large_eot.dcm`, { firstRead: 16 * 1024 });
    server.clearLog();
    // 96 x 96 pixels from (100, 200): tiles of 32 -> rows 3..6 and columns 6..9, 4 x 4 tiles.
    const r = await inst.getTotalPixelMatrix({ asIndices: true, rowStart: 100, rowEnd: 196, columnStart: 200, columnEnd: 296, stored: true, maxGap: 0 });
    await inst.close();
    assert.equal(r.frames.length, 16);
    const log = (await server.logSettled());
    const tileBytes = r.frames.reduce((s, f) => s + inst.frames[f].length, 0);
    assert.ok(log.length <= 4, `${log.length} requests for 4 tile rows`);
    assert.equal(log.reduce((s, l) => s + l.bytes, 0), tileBytes, 'exactly the touched tiles');
  });

  test('concurrent reads of the same frames share one request (in-flight reads are joined)', async () => {
    // No frame caches: only the in-flight join can save the second request.
    const inst = await open(`${server.url}/index/large_eot.dcm`, { firstRead: 16 * 1024, caches: false });
    server.clearLog();
    const [a, b, c] = await Promise.all([inst.getStoredFrame(5), inst.getStoredFrame(5), inst.getStoredFrames([5, 6])]);
    const log = await server.logSettled();
    // Frame 5 read once (the second read and the pair join it), frame 6 by the pair: 2 requests, not 3.
    assert.equal(log.length, 2, `${log.length} requests`);
    assert.equal(log.reduce((n, l) => n + l.bytes, 0), inst.frames[4].length + inst.frames[5].length);
    assert.equal(inst.stats.inflightJoins, 2);
    assert.ok(bytesOf(a.data).equals(bytesOf(b.data)) && bytesOf(a.data).equals(bytesOf(c[0].data)));
    // A read that joins one whose caller aborts is read again for its own caller.
    const ac = new AbortController();
    const first = inst.getStoredFrame(9, { signal: ac.signal });
    const second = inst.getStoredFrame(9);
    ac.abort();
    await assert.rejects(first, (e) => e instanceof LazydcmError && e.codeName === 'aborted');
    assert.ok(bytesOf((await second).data).equals(bytesOf((await inst.getStoredFrame(9)).data)));
    await inst.close();
  });
});
