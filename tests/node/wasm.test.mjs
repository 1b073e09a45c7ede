// The built WASM module itself: memory stays flat over many reads, failing ones included
// (Embind objects freed), and aborts stop a read with the `aborted` code.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { LazydcmError, MemorySource, open } from '../../web/dist/index.js';
import { loadCore } from '../../web/dist/wasm/load.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');

test('WASM memory does not grow over hundreds of reads, failing ones included', async () => {
  const good = new Uint8Array(fs.readFileSync(path.join(fixtures, 'index/large_scan.dcm')));
  const bad = good.slice(0, 5000);  // truncated inside the pixel data: the index fails, the header is fine
  const junk = new Uint8Array(4000).fill(0xf3);
  const core = await loadCore();
  const once = async () => {
    for (const bytes of [good, bad]) {
      const inst = await open(new MemorySource(bytes));
      inst.dataset();
      await inst.close();
    }
    await assert.rejects(open(new MemorySource(junk)), LazydcmError);
  };
  for (let i = 0; i < 20; i++) await once();  // reach the steady state
  const before = core.HEAPU8.length;
  for (let i = 0; i < 300; i++) await once();
  assert.equal(core.HEAPU8.length, before);
});

test('an aborted read rejects with the aborted code', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(open(path.join(fixtures, 'index/large_eot.dcm'), { signal: controller.signal }),
    (e) => e instanceof LazydcmError && e.codeName === 'aborted');
});

test('a truncated slide keeps its metadata and reports the index error with its offset', async () => {
  const good = fs.readFileSync(path.join(fixtures, 'index/large_scan.dcm'));
  const inst = await open(new MemorySource(new Uint8Array(good.subarray(0, 5000))));
  assert.equal(inst.summary.rows, 32);
  assert.equal(inst.summary.frameIndex, null);
  assert.ok(['lengthBeyondEnd', 'truncated'].includes(inst.summary.frameIndexError.name), JSON.stringify(inst.summary.frameIndexError));
  assert.equal(typeof inst.summary.frameIndexError.offset, 'number');
  await inst.close();
});
