// The I/O layer against a real nginx on 127.0.0.1 (its access log counts requests and bytes):
// warm reads cost zero requests, caches shared across opens of the same object, byte budgets,
// prefetch policies, abort, progress, and the scheduler's priorities.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ByteLruCache, createFrameCaches, ErrorCode, LazydcmError, open, RequestScheduler } from '../../web/dist/index.js';
import { startNginx } from '../../scripts/lib/nginx.mjs';
import { readNpy } from './lib/npy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');
const tpm = JSON.parse(fs.readFileSync(path.join(fixtures, 'tpm.json'), 'utf8'));
const bytesOf = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const region = { asIndices: true, rowStart: 100, rowEnd: 196, columnStart: 200, columnEnd: 296, stored: true };

describe('caches, prefetch, abort and progress (real nginx)', () => {
  let server;
  before(async () => { server = await startNginx(fixtures); });
  after(async () => { await server?.stop(); });
  const url = () => `${server.url}/index/large_eot.dcm`;

  test('the same region warm costs zero requests, and the pixels are the same', async () => {
    const caches = createFrameCaches();
    const inst = await open(url(), { caches, firstRead: 16 * 1024 });
    server.clearLog();
    const cold = await inst.getTotalPixelMatrix(region);
    const coldLog = await server.logSettled();
    assert.ok(coldLog.length >= 1);
    server.clearLog();
    const hits = inst.stats.cacheHits;
    const warm = await inst.getTotalPixelMatrix(region);
    assert.equal((await server.logSettled()).length, 0, 'no request for a warm region');
    assert.equal(inst.stats.cacheHits - hits, cold.frames.length, 'every tile from the decoded cache');
    assert.ok(bytesOf(warm.data).equals(bytesOf(cold.data)));
    // Another open of the same object (same URL and ETag) shares the cached frames: only the header is read.
    const again = await open(url(), { caches, firstRead: 16 * 1024 });
    server.clearLog();
    const third = await again.getTotalPixelMatrix(region);
    assert.equal((await server.logSettled()).length, 0, 'frames cached by the first open');
    assert.ok(bytesOf(third.data).equals(bytesOf(cold.data)));
    await inst.close();
    await again.close();
  });

  test('byte budgets evict least recently used frames; encoded frames are decoded again without a fetch', async () => {
    const caches = createFrameCaches({ decodedBytes: 32 * 32 * 3 * 4, encodedBytes: 1 << 20 });  // 4 decoded tiles
    const inst = await open(url(), { caches, firstRead: 16 * 1024 });
    const r = await inst.getTotalPixelMatrix(region);  // 16 tiles
    assert.ok(caches.decoded.bytes <= caches.decoded.maxBytes);
    assert.ok(caches.decoded.evictions >= 12);
    server.clearLog();
    const again = await inst.getTotalPixelMatrix(region);
    assert.equal((await server.logSettled()).length, 0, 'encoded frames still cached');
    assert.ok(bytesOf(again.data).equals(bytesOf(r.data)));
    const lru = new ByteLruCache(10, (b) => b.length);
    lru.set('a', new Uint8Array(4));
    lru.set('b', new Uint8Array(4));
    lru.get('a');
    lru.set('c', new Uint8Array(4));  // evicts b, the least recently used
    assert.deepEqual([lru.has('a'), lru.has('b'), lru.has('c')], [true, false, true]);
    lru.set('big', new Uint8Array(11));
    assert.equal(lru.has('big'), false, 'larger than the budget: not kept');
    await inst.close();
  });

  test("prefetch 'block': one request brings the frame's block; 'instance': all frames of a small instance", async () => {
    const inst = await open(url(), { caches: createFrameCaches(), prefetch: 'block', prefetchBlock: 16, firstRead: 16 * 1024 });
    server.clearLog();
    await inst.getStoredFrame(3);
    let log = await server.logSettled();
    assert.equal(log.length, 1);
    const block = inst.frames.slice(0, 16);
    // Frames that were in the bytes the open read are cached already: the read starts after them.
    const end = block[15].offset + block[15].length;
    assert.ok(block.some((f) => end - f.offset === log[0].bytes), `frames up to 16 in one read (${log[0].bytes} bytes)`);
    server.clearLog();
    await inst.getStoredFrames([1, 2, 16]);
    assert.equal((await server.logSettled()).length, 0);
    await inst.close();

    // 'latency': the asked frame alone first, then the rest of its block in the background.
    const fast = await open(url(), { caches: createFrameCaches(), prefetch: 'latency', prefetchBlock: 16, firstRead: 16 * 1024 });
    server.clearLog();
    await fast.getStoredFrame(20);
    await new Promise((r) => setTimeout(r, 300));
    log = await server.logSettled();
    assert.equal(log.length, 2);
    assert.equal(log[0].bytes, fast.frames[19].length, 'the asked frame first, alone');
    server.clearLog();
    await fast.getStoredFrames([17, 18, 32]);
    assert.equal((await server.logSettled()).length, 0, 'its block arrived behind it');
    await fast.close();

    const small = await open(`${server.url}/index/slide_eot.dcm`, { caches: createFrameCaches(), prefetch: 'instance' });
    server.clearLog();
    await small.getStoredFrame(1);
    await small.getStoredFrames();
    log = await server.logSettled();
    assert.ok(log.length <= 1, `${log.length} requests`);
    await small.close();
  });

  test('abort: a read aborted before it starts makes no request; one aborted while queued never starts', async () => {
    const inst = await open(url(), { caches: false, scheduler: new RequestScheduler(1), firstRead: 16 * 1024 });
    server.clearLog();
    const early = new AbortController();
    early.abort();
    await assert.rejects(inst.getStoredFrame(5, { signal: early.signal }), (e) => e instanceof LazydcmError && e.code === ErrorCode.aborted);
    const ac = new AbortController();
    // 16 frames, no coalescing: 16 requests one at a time; abort after the first completes.
    const frames = Array.from({ length: 16 }, (_, i) => 100 + i * 30);
    const pending = inst.getStoredFrames(frames, { maxGap: -1, signal: ac.signal, onProgress: () => ac.abort() });
    await assert.rejects(pending, (e) => e.code === ErrorCode.aborted);
    const log = await server.logSettled();
    assert.ok(log.length < 4, `${log.length} requests after abort`);
    await inst.close();
  });

  test('progress reaches the totals; priorities order queued reads', async () => {
    const inst = await open(url(), { caches: false, firstRead: 16 * 1024 });
    const seen = [];
    await inst.getTotalPixelMatrix({ ...region, maxGap: -1, onProgress: (p) => seen.push(p) });
    const last = seen[seen.length - 1];
    assert.equal(last.framesDone, 16);
    assert.equal(last.framesTotal, 16);
    assert.equal(last.bytesDone, last.bytesTotal);
    assert.ok(seen.some((p) => p.framesDone === 0 && p.bytesDone > 0), 'bytes reported while fetching');
    await inst.close();

    const s = new RequestScheduler(1);
    const order = [];
    let release;
    const gate = new Promise((r) => { release = r; });
    const first = s.run(() => gate);  // occupies the only slot
    const jobs = [1, 5, 3].map((p) => s.run(async () => { order.push(p); }, { priority: p }));
    release();
    await Promise.all([first, ...jobs]);
    assert.deepEqual(order, [5, 3, 1]);
  });

  test('instances on one origin share its six connections: reads of two files never have more than 6 requests in flight', async () => {
    // Real requests to nginx, each answer held 15 ms so reads pile up (instrumentation around the real fetch).
    let inFlight = 0, most = 0;
    const fetch = async (...args) => {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        const r = await globalThis.fetch(...args);
        await new Promise((res) => setTimeout(res, 15));
        return r;
      } finally {
        inFlight--;
      }
    };
    // A fresh origin for this test (127.0.0.1 vs localhost would be two): a second nginx.
    const other = await startNginx(fixtures);
    try {
      const a = await open(`${other.url}/index/large_eot.dcm`, { caches: false, http: { fetch } });
      const b = await open(`${other.url}/index/large_tiff.dcm`, { caches: false, http: { fetch } });
      most = 0;
      const frames = Array.from({ length: 60 }, (_, i) => 1 + i * 15);
      await Promise.all([a.getStoredFrames(frames, { maxGap: -1 }), b.getStoredFrames(frames, { maxGap: -1 })]);
      assert.ok(most >= 4 && most <= 6, `${most} requests in flight on one origin`);
      await a.close();
      await b.close();
    } finally {
      await other.stop();
    }
  });

  test('coalescing by cost: over a 40 ms / 100 Mbit link, frames 330 KB apart come in one request (one round trip carries 500 KB)', async () => {
    const { startSlowProxy } = await import('../../bench/lib/slow-proxy.mjs');
    const { gapFor } = await import('../../web/dist/io/frame-store.js');
    assert.equal(gapFor(undefined), 64 * 1024);
    assert.equal(gapFor({ rttMs: 40, bytesPerMs: 12500 }), 500000);
    assert.equal(gapFor({ rttMs: 0.3, bytesPerMs: 1e5 }), 64 * 1024);
    assert.equal(gapFor({ rttMs: 300, bytesPerMs: 1e5 }), 4 * 2 ** 20);
    const slow = await startSlowProxy(server.url, { latencyMs: 40, mbitPerSecond: 100 });
    try {
      const url = `${slow.url}/index/large_eot.dcm`;
      const measured = await open(url, { caches: false, firstRead: 64 * 1024 });  // the first read measures the link
      const link = measured.source.link();
      assert.ok(link.rttMs >= 35 && link.bytesPerMs > 2000 && link.bytesPerMs < 20000, JSON.stringify(link));
      const gap = measured.frames[599].offset - (measured.frames[199].offset + measured.frames[199].length);
      assert.ok(gap > 64 * 1024 && gap < gapFor(link), `${gap} bytes between the frames`);
      let before = measured.stats.requests;
      await measured.getStoredFrames([200, 600]);
      assert.equal(measured.stats.requests - before, 1, 'one request: reading the gap costs less than a round trip');
      before = measured.stats.requests;
      await measured.getStoredFrames([201, 601], { maxGap: 64 * 1024 });
      assert.equal(measured.stats.requests - before, 2, 'with the old fixed 64 KiB: two');
      await measured.close();
    } finally {
      await slow.stop();
    }
  });

  test('regions from the cache equal the stitched reference', async () => {
    const m = tpm.sparse16;
    const inst = await open(`${server.url}/tpm/sparse16.dcm`, { caches: createFrameCaches() });
    for (let k = 0; k < 2; k++) {
      for (const r of m.regions) {
        const got = await inst.getTotalPixelMatrix({ asIndices: true, rowStart: r.rows[0], rowEnd: r.rows[1], columnStart: r.cols[0], columnEnd: r.cols[1], stored: true });
        assert.ok(bytesOf(got.data).equals(Buffer.from(readNpy(path.join(fixtures, 'tpm', r.npy)).bytes)));
      }
    }
    assert.ok(inst.stats.cacheHits > 0);
    await inst.close();
  });
});

test('sumStats counts a shared IoStats once (the entries of one zip share the archive\'s)', async () => {
  const { IoStats, sumStats } = await import('../../web/dist/io/stats.js');
  const zip = new IoStats(), file = new IoStats();
  [zip.requests, zip.bytes, file.requests, file.bytes] = [3, 300, 2, 50];
  const sum = sumStats([zip, zip, zip, file]);
  assert.deepEqual([sum.requests, sum.bytes], [5, 350]);
});
