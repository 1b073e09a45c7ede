// `lazydcm info` and the open() API on the built WASM, checked against pydicom's reading of the
// same files (build/fixtures/*.json are written by pydicom in tests/fixtures/generate.py).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { LazydcmError, open } from '../../web/dist/index.js';
import { startNginx } from '../../scripts/lib/nginx.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'build/fixtures');
const cli = path.join(root, 'web/dist/cli/main.js');
const run = promisify(execFile);
const index = JSON.parse(fs.readFileSync(path.join(fixtures, 'index.json'), 'utf8'));
const summaries = JSON.parse(fs.readFileSync(path.join(fixtures, 'summaries.json'), 'utf8'));

function assertMatchesPydicom(summary, expected, label) {
  for (const key of ['sopClassUid', 'transferSyntaxUid', 'rows', 'columns', 'numberOfFrames', 'samplesPerPixel',
    'bitsAllocated', 'bitsStored', 'photometricInterpretation']) {
    assert.equal(summary[key], expected[key], `${label}: ${key}`);
  }
}

async function lazydcm(...args) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('lazydcm info on local files', () => {
  for (const [name, expect] of Object.entries(index)) {
    test(`${name}: summary and index kind as pydicom and the generator say`, async () => {
      const { code, stdout } = await lazydcm('info', path.join(fixtures, 'index', `${name}.dcm`), '--json');
      assert.equal(code, 0);
      const out = JSON.parse(stdout);
      assertMatchesPydicom(out.summary, expect.pydicom, name);
      assert.equal(out.summary.frameIndex.kind, expect.kind);
      const frames = expect.frames ? expect.frames.length : expect.bits.length;
      assert.equal(out.summary.frameIndex.frames, frames);
      assert.equal(out.dataset['00100010'].Value[0].Alphabetic, expect.pydicom.patientName);
    });
  }
  for (const [name, { path: file, pydicom }] of Object.entries(summaries)) {
    test(`pydicom corpus ${name}`, async () => {
      const { code, stdout } = await lazydcm('info', file, '--json');
      assert.equal(code, 0, stdout);
      const out = JSON.parse(stdout);
      assertMatchesPydicom(out.summary, pydicom, name);
      if (pydicom.patientName !== null) {
        const pn = out.dataset['00100010']?.Value?.[0]?.Alphabetic ?? '';
        assert.equal(pn, pydicom.patientName);
      }
    });
  }
  test('human-readable output names the SOP class, syntax and index', async () => {
    const { code, stdout } = await lazydcm('info', path.join(fixtures, 'index', 'slide_tiff.dcm'));
    assert.equal(code, 0);
    assert.match(stdout, /VL Whole Slide Microscopy Image Storage/);
    assert.match(stdout, /JPEG Baseline \(Process 1\)/);
    assert.match(stdout, /frame index:\s+tiff_tile_table, 12 frames/);
    assert.match(stdout, /total pixel matrix:\s+192 x 256/);
  });
  test('--stats prints requests and bytes to stderr as JSON', async () => {
    const { code, stderr } = await lazydcm('info', path.join(fixtures, 'index', 'large_eot.dcm'), '--stats');
    assert.equal(code, 0);
    const stats = JSON.parse(stderr.trim().split('\n').pop());
    assert.ok(stats.requests >= 1 && stats.requests <= 3, JSON.stringify(stats));
    assert.ok(stats.bytes < 200 * 1024, 'a 750 kB slide\'s index costs its header and table, not its tiles');
  });
});

describe('bad input through the CLI and the API', () => {
  const tmp = fs.mkdtempSync('/tmp/lazydcm-bad-');
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  test('a truncated file: exit 1, a stable code name and the byte offset', async () => {
    const ct = fs.readFileSync(summaries['CT_small.dcm'].path);
    const file = path.join(tmp, 'cut.dcm');
    fs.writeFileSync(file, ct.subarray(0, 1000));
    const { code, stderr } = await lazydcm('info', file);
    assert.equal(code, 1);
    assert.match(stderr, /(truncated|lengthBeyondEnd) \(code [12]\).*at byte \d+/);
  });
  test('not DICOM', async () => {
    const file = path.join(tmp, 'junk.dcm');
    fs.writeFileSync(file, Buffer.alloc(500, 0xf3));
    const { code, stderr } = await lazydcm('info', file);
    assert.equal(code, 1);
    assert.match(stderr, /notDicom \(code 6\)/);
  });
  test('a missing file and a usage error', async () => {
    assert.equal((await lazydcm('info', path.join(tmp, 'nope.dcm'))).code, 1);
    assert.equal((await lazydcm('frobnicate')).code, 2);
    assert.equal((await lazydcm('info')).code, 2);
  });
  test('the API throws LazydcmError with code and offset', async () => {
    const file = path.join(tmp, 'huge.dcm');
    const ct = fs.readFileSync(summaries['CT_small.dcm'].path);
    const bad = Buffer.from(ct.subarray(0, 400));
    // Overwrite the length of the element at the end of the kept bytes with 2^32-16.
    fs.writeFileSync(file, Buffer.concat([bad, Buffer.from([0x08, 0x00, 0x20, 0x00, 0x55, 0x54, 0, 0, 0xf0, 0xff, 0xff, 0xff])]));
    await assert.rejects(open(file), (e) => e instanceof LazydcmError && typeof e.code === 'number' && e.offset !== undefined);
  });
});

describe('remote reading over HTTP Range (real nginx on 127.0.0.1)', () => {
  let server;
  before(async () => { server = await startNginx(fixtures); });
  after(async () => { await server?.stop(); });

  for (const name of ['large_eot', 'large_tiff', 'large_scan', 'slide_bot', 'deflated', 'native1bit']) {
    test(`${name}: same summary over HTTP as from the file`, async () => {
      const local = await open(path.join(fixtures, 'index', `${name}.dcm`));
      const remote = await open(`${server.url}/index/${name}.dcm`, { firstRead: 4096 });
      try {
        // bytesRead is what the core asked for, which depends on the first read's size.
        delete remote.summary.frameIndex.bytesRead;
        delete local.summary.frameIndex.bytesRead;
        assert.deepEqual(remote.summary, local.summary);
        assert.deepEqual(remote.frames, local.frames);
      } finally {
        await local.close();
        await remote.close();
      }
    });
  }

  test('an offset table index costs the header and the table: the request log proves it', async () => {
    server.clearLog();
    const size = fs.statSync(path.join(fixtures, 'index', 'large_eot.dcm')).size;
    const inst = await open(`${server.url}/index/large_eot.dcm`, { firstRead: 16 * 1024 });
    await inst.close();
    const log = (await server.logSettled());
    assert.ok(log.length <= 2, JSON.stringify(log));
    assert.ok(log.every((r) => r.status === 206 && r.range), 'only Range requests');
    const bytes = log.reduce((s, r) => s + r.bytes, 0);
    // Header + Extended Offset Table (900 frames x 16 bytes) rounded up to the read sizes.
    assert.ok(bytes <= 16 * 1024 + 900 * 16 + 16 * 1024, `${bytes} bytes of ${size}`);
    assert.equal(inst.stats.requests, log.length);
    assert.equal(inst.stats.bytes, bytes);
  });

  test('a TIFF tile table costs at most one more round trip than the header', async () => {
    server.clearLog();
    const inst = await open(`${server.url}/index/large_tiff.dcm`, { firstRead: 16 * 1024 });
    await inst.close();
    assert.equal(inst.summary.frameIndex.kind, 'tiff_tile_table');
    assert.ok((await server.logSettled()).length <= 3, JSON.stringify((await server.logSettled())));
    assert.ok(inst.stats.bytes < 150 * 1024);
  });

  test('the fragment scan reads in large batches, not a request per fragment', async () => {
    server.clearLog();
    const inst = await open(`${server.url}/index/large_scan.dcm`, { firstRead: 16 * 1024, scanBatch: 64 * 1024 });
    await inst.close();
    assert.equal(inst.summary.frameIndex.frames, 900);
    assert.ok((await server.logSettled()).length < 20, `${(await server.logSettled()).length} requests for 900 fragments`);
  });

  test('gs:// and s3:// map to the configured public endpoints', async () => {
    const inst = await open('gs://index/slide_eot.dcm', { http: { gcsEndpoint: server.url } });
    assert.equal(inst.summary.frameIndex.kind, 'extended_offset_table');
    await inst.close();
    const s3 = await open('s3://index/slide_bot.dcm', { http: { s3Endpoint: server.url } });
    assert.equal(s3.summary.frameIndex.kind, 'basic_offset_table');
    await s3.close();
  });

  test('a server that ignores Range: read once, whole, and said so in the stats', async () => {
    server.clearLog();
    const inst = await open(`${server.url}/norange/index/large_scan.dcm`, { firstRead: 4096 });
    await inst.close();
    const log = (await server.logSettled());
    assert.equal(log.length, 1, 'never reads the body twice');
    assert.equal(log[0].status, 200);
    assert.equal(inst.summary.frameIndex.frames, 900);
    assert.match(inst.stats.notes.join(' '), /ignored Range/);
  });

  test('404 is a clear error, not a retry loop', async () => {
    server.clearLog();
    await assert.rejects(open(`${server.url}/index/missing.dcm`), (e) => e instanceof LazydcmError && /HTTP 404/.test(e.message));
    assert.equal((await server.logSettled()).length, 1);
  });

  test('lazydcm info <url> --stats', async () => {
    const { code, stdout, stderr } = await lazydcm('info', `${server.url}/index/large_tiff.dcm`, '--stats');
    assert.equal(code, 0);
    assert.match(stdout, /tiff_tile_table, 900 frames/);
    const stats = JSON.parse(stderr.trim());
    assert.ok(stats.requests <= 3 && stats.bytes < 200 * 1024, stderr);
  });
});

test('CLI: --help prints the usage with every command and option of the README; an unknown option is a usage error naming it', async () => {
  const { stdout } = await run(process.execPath, [cli, '--help']);
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const block = /## Command line\n\n```\n([\s\S]*?)```/.exec(readme)[1];
  const commands = [...block.matchAll(/^lazydcm (\w+)/gm)].map((m) => m[1]);
  assert.deepEqual([...new Set(commands)], ['info', 'frame', 'region', 'slide', 'volume', 'seg', 'idc']);
  for (const c of commands) assert.match(stdout, new RegExp(`^  ${c} `, 'm'), `usage lists '${c}'`);
  for (const option of new Set(block.match(/--[a-z0-9-]+/g))) assert.ok(stdout.includes(option), `usage mentions ${option}`);
  const bad = await run(process.execPath, [cli, 'info', path.join(root, 'build/conformance/dcmtk-rle/image.dcm'), '--jsn']).then(() => null, (e) => e);
  assert.equal(bad?.code, 2);
  assert.match(bad.stderr, /unknown option '--jsn'/);
  const missing = await run(process.execPath, [cli, 'info', '/nonexistent.dcm']).then(() => null, (e) => e);
  assert.equal(missing?.code, 1);
  assert.match(missing.stderr, /^lazydcm: ENOENT: no such file/);
  assert.doesNotMatch(missing.stderr, /ENOENT: ENOENT/);
});
