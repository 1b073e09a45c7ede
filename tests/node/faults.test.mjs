// Faulty servers (a real proxy in front of nginx that drops connections, answers 500, truncates
// bodies, changes the ETag, ignores Range or answers the wrong range): every read gives the right
// pixels after retries, or a clear error — never wrong pixels.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ErrorCode, LazydcmError, open } from '../../web/dist/index.js';
import { startNginx } from '../../scripts/lib/nginx.mjs';
import { startFaultProxy } from './lib/faults.mjs';
import { readNpy } from './lib/npy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');
const tpm = JSON.parse(fs.readFileSync(path.join(fixtures, 'tpm.json'), 'utf8'));
const want = Buffer.from(readNpy(path.join(fixtures, 'tpm', tpm.sparse16.regions[1].npy)).bytes);
const r1 = tpm.sparse16.regions[1];
const region = { asIndices: true, rowStart: r1.rows[0], rowEnd: r1.rows[1], columnStart: r1.cols[0], columnEnd: r1.cols[1], stored: true };
const bytesOf = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('faulty servers', () => {
  let nginx, proxy;
  before(async () => {
    nginx = await startNginx(fixtures);
    proxy = await startFaultProxy(nginx.url);
  });
  after(async () => {
    await proxy?.stop();
    await nginx?.stop();
  });
  const read = async (mode, options = {}) => {
    const inst = await open(`${proxy.url}/${mode}/tpm/sparse16.dcm`, { caches: false, http: { retryDelayMs: 5, ...options } });
    try {
      return { region: await inst.getTotalPixelMatrix(region), stats: inst.stats.toJSON() };
    } finally {
      await inst.close();
    }
  };

  for (const mode of ['ok', 'drop2', '500x2', 'truncate1', 'full200']) {
    test(`${mode}: the right pixels`, async () => {
      const { region: r, stats } = await read(mode);
      assert.ok(bytesOf(r.data).equals(want));
      if (mode !== 'ok' && mode !== 'full200') assert.ok(stats.notes.some((n) => /retried/.test(n)), `${mode}: ${JSON.stringify(stats.notes)}`);
      if (mode === 'full200') assert.ok(stats.notes.some((n) => /ignored Range/.test(n)));
    });
  }

  test('500s beyond the retry budget: a clear httpError', async () => {
    await assert.rejects(read('500x9', { retries: 3 }), (e) =>
      e instanceof LazydcmError && e.code === ErrorCode.httpError && /HTTP 500/.test(e.message));
  });

  test('the object changes between requests: sourceChanged, not mixed bytes', async () => {
    await assert.rejects(read('etag'), (e) => e instanceof LazydcmError && e.code === ErrorCode.sourceChanged);
  });

  test('a 206 for other bytes than asked: an error', async () => {
    await assert.rejects(read('wrongrange'), (e) => e instanceof LazydcmError && /asked for bytes from/.test(e.message));
  });
});
