// The persistent cache against a real nginx (its access log counts requests): a reopen of an
// object opened before reads neither its header nor its index again — one request (the first
// read, which carries the ETag) or none within trustMs — and its frames are the generator's; a
// changed object, a damaged entry or a foreign one is read again as if uncached; the Node folder
// store keeps its byte budget (LRU).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { FolderStore, MemoryStore, open, PersistentCache } from '../../web/dist/index.js';
import { startNginx } from '../../scripts/lib/nginx.mjs';
import { fnv1a } from './lib/fnv.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');
const index = JSON.parse(fs.readFileSync(path.join(fixtures, 'index.json'), 'utf8'));


/** Frames 1, the middle one and the last, as the generator wrote them (index.json hashes). */
async function framesAsWritten(inst, name) {
  const want = index[name].frames;
  for (const f of [1, Math.ceil(want.length / 2), want.length]) {
    assert.equal(fnv1a(await inst.getRawFrame(f)), want[f - 1], `${name} frame ${f}`);
  }
}

describe('persistent cache: header and index kept across opens (real nginx)', () => {
  let server, dir, changing;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazydcm-persist-'));
    changing = fs.mkdtempSync(path.join(os.tmpdir(), 'lazydcm-served-'));
    fs.mkdirSync(path.join(changing, 'index'));
    for (const f of fs.readdirSync(path.join(fixtures, 'index'))) fs.symlinkSync(path.join(fixtures, 'index', f), path.join(changing, 'index', f));
    server = await startNginx(changing);
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(changing, { recursive: true, force: true });
  });

  test('a fragment scan is never repeated: the reopen makes one request (its first read) and restores the index', async () => {
    const cache = new PersistentCache({ store: new FolderStore(path.join(dir, 'a')) });
    const url = `${server.url}/index/large_scan.dcm`;
    server.clearLog();
    const cold = await open(url, { persistentCache: cache, firstRead: 4096, caches: false });
    const coldRequests = (await server.logSettled()).length;
    assert.ok(coldRequests >= 2, `the scan reads beyond the first read (${coldRequests} requests)`);
    assert.equal(cold.summary.frameIndex.kind, 'fragment_scan');
    assert.equal(cold.stats.persistentMisses, 1);
    await cold.close();
    await new Promise((r) => setTimeout(r, 200));  // the entry is written after the open returns
    server.clearLog();
    const warm = await open(url, { persistentCache: cache, firstRead: 4096, caches: false });
    const log = await server.logSettled();
    assert.equal(log.length, 1, `one request, the first read: ${JSON.stringify(log)}`);
    assert.equal(warm.stats.persistentHits, 1);
    assert.equal(warm.summary.frameIndex.kind, 'fragment_scan');
    assert.equal(warm.summary.numberOfFrames, index.large_scan.frames.length);
    assert.ok(warm.summary.frameIndex.notes.includes('index restored from the persistent cache'));
    await framesAsWritten(warm, 'large_scan');
    await warm.close();
  });

  test('within trustMs a reopen sends no request at all; frames read afterwards are right', async () => {
    const cache = new PersistentCache({ store: new FolderStore(path.join(dir, 'b')), trustMs: 60_000 });
    for (const name of ['slide_bot', 'slide_tiff', 'large_eot']) {
      const url = `${server.url}/index/${name}.dcm`;
      await (await open(url, { persistentCache: cache, caches: false })).close();
      await new Promise((r) => setTimeout(r, 200));
      server.clearLog();
      const warm = await open(url, { persistentCache: cache, caches: false });
      assert.equal((await server.logSettled()).length, 0, `${name}: no request to reopen`);
      assert.equal(warm.stats.persistentHits, 1);
      assert.equal(warm.summary.frameIndex.kind, index[name].kind);
      await framesAsWritten(warm, name);
      await warm.close();
    }
  });

  test('an object changed since it was cached (another ETag) is read again, with its own index', async () => {
    const cache = new PersistentCache({ store: new FolderStore(path.join(dir, 'c')) });
    const served = path.join(changing, 'index', 'swap.dcm');
    fs.copyFileSync(path.join(fixtures, 'index', 'slide_bot.dcm'), served);
    const url = `${server.url}/index/swap.dcm`;
    await (await open(url, { persistentCache: cache, caches: false })).close();
    await new Promise((r) => setTimeout(r, 200));
    fs.copyFileSync(path.join(fixtures, 'index', 'large_eot.dcm'), served);
    fs.utimesSync(served, new Date(), new Date(Date.now() + 5000));  // nginx's ETag: mtime and size
    const again = await open(url, { persistentCache: cache, caches: false });
    assert.equal(again.stats.persistentHits, 0);
    assert.ok(again.stats.notes.some((n) => n.includes('changed since it was cached')), again.stats.notes.join('; '));
    assert.equal(again.summary.frameIndex.kind, index.large_eot.kind);
    await framesAsWritten(again, 'large_eot');
    await again.close();
  });

  test('a damaged entry is not used: the index is built again and the note says why', async () => {
    const store = new MemoryStore();
    const cache = new PersistentCache({ store });
    const url = `${server.url}/index/slide_scan.dcm`;
    await (await open(url, { persistentCache: cache, caches: false })).close();
    await new Promise((r) => setTimeout(r, 100));
    const entry = await store.get(`open:${url}`);
    assert.ok(entry?.length > 0);
    entry[entry.length - 8 - 16] ^= 0x80;  // the last frame's offset (the store holds this array; the core's checksum catches it)
    const again = await open(url, { persistentCache: cache, caches: false });
    assert.equal(again.stats.persistentHits, 0);
    assert.ok(again.stats.notes.some((n) => n.includes('was not used') && n.includes('checksum')), again.stats.notes.join('; '));
    assert.ok(!again.summary.frameIndex.notes.includes('index restored from the persistent cache'), 'the scan ran again');
    await framesAsWritten(again, 'slide_scan');
    await again.close();
    // Bytes that are no entry at all are ignored.
    await store.put(`open:${url}`, new Uint8Array([1, 2, 3]));
    const third = await open(url, { persistentCache: cache, caches: false });
    assert.equal(third.stats.persistentHits, 0);
    await framesAsWritten(third, 'slide_scan');
    await third.close();
  });

  test('local files and sources without a validator are not kept', async () => {
    const store = new MemoryStore();
    const inst = await open(path.join(fixtures, 'index', 'slide_bot.dcm'), { persistentCache: new PersistentCache({ store }) });
    assert.equal(inst.stats.persistentMisses, 0);
    await inst.close();
    assert.equal(await store.get(`open:${path.join(fixtures, 'index', 'slide_bot.dcm')}`), undefined);
  });
});

test('FolderStore: entries survive a new store on the same folder; least recently used out past the budget', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazydcm-folder-'));
  try {
    const a = new FolderStore(dir, 250);
    await a.put('one', new Uint8Array(100).fill(1));
    await new Promise((r) => setTimeout(r, 20));
    await a.put('two', new Uint8Array(100).fill(2));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await a.get('one'))[0], 1);  // touched: now the most recent
    await new Promise((r) => setTimeout(r, 20));
    await a.put('three', new Uint8Array(100).fill(3));
    const b = new FolderStore(dir, 250);
    assert.equal(await b.get('two'), undefined, 'the least recently used went');
    assert.equal((await b.get('one'))[0], 1);
    assert.equal((await b.get('three'))[0], 3);
    await b.put('huge', new Uint8Array(300));
    assert.equal(await b.get('huge'), undefined, 'an entry over the budget is not kept');
    assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')).length, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
