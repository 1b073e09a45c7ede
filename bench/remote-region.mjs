// Time to first region and bytes fetched for a 512 x 512 region of a remote JPEG slide level
// (48 x 48 tiles of 256, with a Basic Offset Table), on loopback through a proxy adding 40 ms
// per request and a 100 Mbit/s cap: lazydcm (Range requests: header and offset table, then the 9
// touched tiles;
// decoded in WASM and assembled) against what cornerstone's loader does by default (download
// the whole file, parse it with dicom-parser, decode the touched tiles with
// @cornerstonejs/codec-libjpeg-turbo-8bit; assembly not counted for the peer).
// Usage: node bench/remote-region.mjs [--latency 40] [--mbit 100]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import dicomParser from 'dicom-parser';

import { createFrameCaches, open } from '../web/dist/index.js';
import { startNginx } from '../scripts/lib/nginx.mjs';
import { startSlowProxy } from './lib/slow-proxy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const latencyMs = arg('--latency', 40), mbitPerSecond = arg('--mbit', 100);
const dataDir = path.join(root, 'bench/data');
const slide = path.join(dataDir, 'slide_48x48.dcm');
const noTable = path.join(dataDir, 'slide_48x48_notable.dcm');
fs.mkdirSync(dataDir, { recursive: true });
if (!fs.existsSync(slide)) execFileSync('/usr/bin/python3', [path.join(root, 'bench/make-slide.py'), slide]);
if (!fs.existsSync(noTable)) execFileSync('/usr/bin/python3', [path.join(root, 'bench/make-slide.py'), noTable, '--no-table']);
const size = fs.statSync(slide).size;
const nginx = await startNginx(dataDir);
const proxy = await startSlowProxy(nginx.url, { latencyMs, mbitPerSecond });
const url = `${proxy.url}/${path.basename(slide)}`;
const noTableUrl = `${proxy.url}/${path.basename(noTable)}`;
// Rows/columns 1000..1512 of the 12288 x 12288 matrix: tiles 3..5 x 3..5 (9 tiles).
const region = { asIndices: true, rowStart: 1000, rowEnd: 1512, columnStart: 1000, columnEnd: 1512, stored: true };
const touched = [];
for (let r = 3; r <= 5; r++) for (let c = 3; c <= 5; c++) touched.push(r * 48 + c);

async function lazydcm(from = url) {
  nginx.clearLog();
  const t0 = performance.now();
  // Its own frame caches per run (cold): frames in bytes already read (a scan) serve the region.
  const inst = await open(from, { caches: createFrameCaches() });
  const r = await inst.getTotalPixelMatrix(region);
  const ms = performance.now() - t0;
  const log = await nginx.logSettled();
  await inst.close();
  if (r.frames.length !== 9) throw new Error(`touched ${r.frames.length} tiles`);
  return { ms, requests: log.length, bytes: log.reduce((s, l) => s + l.bytes, 0) };
}

const jpegFactory = require(path.join(root, 'node_modules/@cornerstonejs/codec-libjpeg-turbo-8bit/dist/libjpegturbowasm_decode.js'));
const jpeg = new (await jpegFactory()).JPEGDecoder();

async function downloadAndParse() {
  nginx.clearLog();
  const t0 = performance.now();
  const whole = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const ds = dicomParser.parseDicom(whole);
  const pixel = ds.elements.x7fe00010;
  for (const f of touched) {
    const bytes = dicomParser.readEncapsulatedPixelDataFromFragments(ds, pixel, f, 1);
    jpeg.getEncodedBuffer(bytes.length).set(bytes);
    jpeg.decode();
  }
  const ms = performance.now() - t0;
  const log = await nginx.logSettled();
  return { ms, requests: log.length, bytes: log.reduce((s, l) => s + l.bytes, 0) };
}

const runs = 5;
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const readers = [
  ['lazydcm (Range + WASM)', () => lazydcm(url)],
  ['lazydcm, the same level without an offset table (one scan)', () => lazydcm(noTableUrl)],
  ['download + dicom-parser + cornerstone libjpeg-turbo', downloadAndParse],
];
const all = Object.fromEntries(readers.map(([name]) => [name, []]));
for (const [, fn] of readers) await fn();  // warm up (module load, JIT)
for (let i = 0; i < runs; i++) for (const [name, fn] of readers) all[name].push(await fn());  // interleaved: A, B, C, A, B, C…
const results = {};
for (const [name, xs] of Object.entries(all)) results[name] = { ms: median(xs.map((x) => x.ms)), requests: xs[0].requests, bytes: xs[0].bytes };
await proxy.stop();
await nginx.stop();
console.log(`remote 512x512 region of a ${(size / 1e6).toFixed(1)} MB slide level (2304 JPEG tiles), ${latencyMs} ms/request, ${mbitPerSecond} Mbit/s, median of ${runs}`);
console.log('| reader | time to region (ms) | requests | bytes fetched | × file |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${r.ms.toFixed(0)} | ${r.requests} | ${r.bytes} | ${(r.bytes / size).toFixed(3)} |`);
