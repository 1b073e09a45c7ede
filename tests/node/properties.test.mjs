// Property tests (fast-check) of what lives in TypeScript, each against a straightforward model:
// range coalescing, the byte-bounded LRU cache's accounting, DICOMweb multipart parsing, and the
// zip reader on archives written here (stored and deflated entries, any names and contents).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';

import fc from 'fast-check';

import { ByteLruCache, LazydcmError, MemorySource, parseMultipart, ZipArchive } from '../../web/dist/index.js';
import { coalesce } from '../../web/dist/io/coalesce.js';

const runs = { numRuns: 300 };

test('coalesce: every span in exactly one group that covers it; groups ascending, apart by more than maxGap', () => {
  const span = fc.record({ offset: fc.nat(1 << 20), length: fc.nat(1 << 16) });
  fc.assert(fc.property(fc.array(span, { maxLength: 60 }), fc.nat(1 << 16), (spans, maxGap) => {
    const items = spans.map((s, i) => ({ ...s, i }));
    const groups = coalesce(items, maxGap);
    const seen = groups.flatMap((g) => g.items.map((x) => x.i)).sort((a, b) => a - b);
    assert.deepEqual(seen, items.map((x) => x.i));
    groups.forEach((g, k) => {
      const end = Math.max(...g.items.map((x) => x.offset + x.length));
      assert.equal(g.offset, Math.min(...g.items.map((x) => x.offset)));
      assert.equal(g.offset + g.length, end);
      if (k > 0) {
        const prev = groups[k - 1];
        assert.ok(g.offset - (prev.offset + prev.length) > maxGap, 'groups closer than maxGap were not merged');
      }
    });
  }), runs);
});

test('ByteLruCache: bytes equal the sum of what it holds, never above the budget, eviction in LRU order (model)', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('set'), key: fc.integer({ min: 0, max: 12 }), size: fc.nat(40) }),
    fc.record({ kind: fc.constant('get'), key: fc.integer({ min: 0, max: 12 }) }),
    fc.record({ kind: fc.constant('delete'), key: fc.integer({ min: 0, max: 12 }) }),
  );
  fc.assert(fc.property(fc.nat(100), fc.array(op, { maxLength: 80 }), (budget, ops) => {
    const cache = new ByteLruCache(budget, (b) => b.byteLength);
    let model = [];  // [key, size], least recently used first
    for (const o of ops) {
      const key = String(o.key);
      if (o.kind === 'set') {
        cache.set(key, new Uint8Array(o.size));
        model = model.filter(([k]) => k !== key);
        if (o.size <= budget) {
          model.push([key, o.size]);
          let used = model.reduce((n, [, s]) => n + s, 0);
          while (used > budget) used -= model.shift()[1];
        }
      } else if (o.kind === 'get') {
        const got = cache.get(key);
        const at = model.findIndex(([k]) => k === key);
        assert.equal(got !== undefined, at >= 0);
        if (at >= 0) model.push(...model.splice(at, 1));
      } else {
        cache.delete(key);
        model = model.filter(([k]) => k !== key);
      }
      assert.equal(cache.bytes, model.reduce((n, [, s]) => n + s, 0));
      assert.ok(cache.bytes <= budget);
      assert.equal(cache.size, model.length);
      for (const [k] of model) assert.ok(cache.has(k));
    }
  }), runs);
});

test('parseMultipart: the parts written are the parts read (any bytes, CRLF inside bodies included)', () => {
  const part = fc.record({ type: fc.constantFrom('application/octet-stream', 'image/jp2', 'image/jpeg'), body: fc.uint8Array({ maxLength: 300 }) });
  fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 8 }), fc.constantFrom('b0undary', 'lazy-XYZ', 'abc'), (parts, boundary) => {
    const enc = new TextEncoder();
    const delimiter = enc.encode(`--${boundary}`);
    const contains = (hay) => hay.some((_, i) => delimiter.every((d, k) => hay[i + k] === d));
    fc.pre(parts.every((p) => !contains(p.body)));  // a writer picks a boundary its bodies do not contain
    const chunks = [];
    for (const p of parts) chunks.push(enc.encode(`--${boundary}\r\nContent-Type: ${p.type}\r\n\r\n`), p.body, enc.encode('\r\n'));
    chunks.push(enc.encode(`--${boundary}--\r\n`));
    const body = new Uint8Array(Buffer.concat(chunks));
    const got = parseMultipart(body, `multipart/related; type="application/octet-stream"; boundary=${boundary}`);
    assert.equal(got.length, parts.length);
    got.forEach((g, k) => {
      assert.equal(g.contentType, parts[k].type);
      assert.deepEqual(new Uint8Array(g.body), parts[k].body);
    });
  }), runs);
});

/** A zip archive (PKWARE APPNOTE 4.3: local headers, central directory, end record). */
function writeZip(entries) {
  const locals = [], central = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = e.deflate ? zlib.deflateRawSync(e.body) : Buffer.from(e.body);
    const crc = zlib.crc32 ? zlib.crc32(e.body) : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);  // UTF-8 names
    local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(e.body.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x0800, 8);
    c.writeUInt16LE(e.deflate ? 8 : 0, 10);
    c.writeUInt32LE(crc >>> 0, 16);
    c.writeUInt32LE(data.length, 20);
    c.writeUInt32LE(e.body.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, end]));
}

test('ZipArchive: every entry of an archive written here reads back byte for byte (stored and deflated)', async () => {
  const entry = fc.record({
    name: fc.stringMatching(/^[a-z0-9_]{1,8}(\/[a-z0-9_]{1,8}){0,2}\.dcm$/),
    body: fc.uint8Array({ maxLength: 5000 }),
    deflate: fc.boolean(),
  });
  await fc.assert(fc.asyncProperty(fc.uniqueArray(entry, { minLength: 1, maxLength: 10, selector: (e) => e.name }), async (entries) => {
    const archive = await ZipArchive.open(new MemorySource(writeZip(entries), 'test.zip'));
    try {
      const listed = archive.list().map((e) => e.name).sort();
      assert.deepEqual(listed, entries.map((e) => e.name).sort());
      for (const e of entries) {
        const src = archive.entrySource(archive.entry(e.name));
        const { size, head } = await src.open(1 << 20);
        assert.equal(size, e.body.length);
        assert.deepEqual(new Uint8Array(head), e.body);
      }
    } finally {
      await archive.close();
    }
  }), { numRuns: 100 });
});

test('RequestScheduler: never more than `concurrency` at once; a free slot goes to the highest priority, then the oldest; aborted waiting tasks never start', async () => {
  const { RequestScheduler } = await import('../../web/dist/index.js');
  const task = fc.record({ priority: fc.integer({ min: -3, max: 3 }), abort: fc.boolean(), ms: fc.integer({ min: 0, max: 3 }) });
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(task, { minLength: 1, maxLength: 25 }), async (concurrency, tasks) => {
    const s = new RequestScheduler(concurrency);
    let running = 0, max = 0;
    const started = [];
    const controllers = tasks.map(() => new AbortController());
    const results = tasks.map((t, i) => s.run(async () => {
      // The task chosen now must be the best of those still waiting (priority, then arrival).
      started.push(i);
      running++;
      max = Math.max(max, running);
      await new Promise((r) => setTimeout(r, t.ms));
      running--;
      return i;
    }, { priority: t.priority, signal: controllers[i].signal }).then((v) => ({ ok: v }), (e) => ({ error: e.codeName })));
    tasks.forEach((t, i) => { if (t.abort) controllers[i].abort(); });
    const out = await Promise.all(results);
    assert.ok(max <= concurrency, `${max} ran at once`);
    // The first `concurrency` tasks start at once (nothing waits yet); later ones by priority.
    const waiting = tasks.map((t, i) => ({ ...t, i })).slice(concurrency).filter((t) => !t.abort);
    const later = started.slice(concurrency);
    const expected = [...waiting].sort((a, b) => b.priority - a.priority || a.i - b.i).map((t) => t.i);
    assert.deepEqual(later, expected);
    out.forEach((r, i) => {
      if (i < concurrency) assert.deepEqual(r, { ok: i });  // started before their abort: they finish
      else if (tasks[i].abort) assert.deepEqual(r, { error: 'aborted' });
      else assert.deepEqual(r, { ok: i });
    });
  }), { numRuns: 100 });
});

test('Content-Range: well-formed headers parse back to their numbers; a 206 is accepted exactly when it holds the bytes asked for', async () => {
  const { parseContentRange, checkPartialContent } = await import('../../web/dist/io/content-range.js');
  const big = 2 ** 45;  // files up to 32 TiB
  // Well-formed: round trip (any case of "bytes", spaces around, total known or '*').
  fc.assert(fc.property(fc.nat(big), fc.nat(1 << 30), fc.option(fc.nat(1 << 20), { nil: undefined }), fc.boolean(),
    (start, len, extra, upper) => {
      const end = start + len, total = extra === undefined ? '*' : String(end + 1 + extra);
      const header = ` ${upper ? 'BYTES' : 'bytes'} ${start}-${end}/${total} `;
      assert.deepEqual(parseContentRange(header), { start, end, total: total === '*' ? -1 : Number(total) });
    }), runs);
  // Anything else is null: end before start, end past the total, other units, lists, junk.
  fc.assert(fc.property(fc.string({ maxLength: 30 }), (s) => {
    const got = parseContentRange(s);
    if (got === null) return;
    assert.match(s.trim(), /^bytes \d+-\d+\/(\d+|\*)$/i);
    assert.ok(got.end >= got.start && (got.total < 0 || got.end < got.total));
  }), runs);
  for (const bad of ['bytes 5-4/10', 'bytes 0-10/10', 'items 0-1/2', 'bytes 0-1/2, 4-5/9', 'bytes */10', 'bytes 0-/10'])
    assert.equal(parseContentRange(bad), null, bad);

  // A model server answering Range: bytes=offset-(offset+length-1) in one of several ways.
  const answer = fc.record({
    kind: fc.constantFrom('exact', 'shorter', 'shifted', 'truncatedBody', 'longerBody', 'hidden', 'hiddenLonger', 'junk'),
    cut: fc.integer({ min: 1, max: 1000 }),
    total: fc.option(fc.nat(1 << 20), { nil: undefined }),
  });
  fc.assert(fc.property(fc.nat(1 << 30), fc.integer({ min: 1, max: 1 << 20 }), answer, (offset, length, a) => {
    const last = offset + length - 1, cut = Math.min(a.cut, length - 1);
    const totalText = a.total === undefined ? '*' : String(last + 1 + a.total);
    let header = null, body = length;
    switch (a.kind) {
      case 'exact': header = `bytes ${offset}-${last}/${totalText}`; break;
      case 'shorter': header = `bytes ${offset}-${last - cut}/${totalText}`; body = length - cut; break;  // allowed by RFC 9110
      case 'shifted': header = `bytes ${offset + a.cut}-${last + a.cut}/*`; break;
      case 'truncatedBody': header = `bytes ${offset}-${last}/${totalText}`; body = length - a.cut; break;
      case 'longerBody': header = `bytes ${offset}-${last}/${totalText}`; body = length + a.cut; break;
      case 'hidden': body = length - cut; break;  // CORS did not expose Content-Range
      case 'hiddenLonger': body = length + a.cut; break;
      case 'junk': header = `bytes=${offset}-${last}`; break;
    }
    const accept = a.kind === 'exact' || a.kind === 'shorter' || a.kind === 'hidden';
    let got, error;
    try { got = checkPartialContent(offset, length, header, Math.max(0, body), 'model'); } catch (e) { error = e; }
    if (accept) {
      assert.equal(error, undefined, `${a.kind}: ${error?.message}`);
      assert.equal(got, a.kind === 'hidden' || totalText === '*' ? -1 : Number(totalText));
    } else {
      assert.ok(error instanceof LazydcmError, `${a.kind} accepted`);
      assert.equal(error.codeName, a.kind === 'truncatedBody' || (a.kind === 'longerBody') ? 'network' : 'httpError', a.kind);
    }
  }), { numRuns: 2000 });
});
