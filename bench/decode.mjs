// Decode time per frame, side by side in one Node process and interleaved: lazydcm's WASM (SIMD and
// baseline builds), the cornerstone codecs from npm (the browser peers), and lazydcm native.
// Usage: node bench/decode.mjs [input-regex]   (inputs from bench/make-codec-inputs.py, made on first run;
// delete bench/data/codec to remake them)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import '../web/dist/index.js';  // the Node platform (the core's .wasm read from disk)
import { core, moduleDecoder } from '../web/dist/wasm/core.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'bench/data/codec');
if (!fs.existsSync(path.join(dir, 'inputs.json'))) {
  execFileSync('/usr/bin/python3', [path.join(root, 'bench/make-codec-inputs.py'), dir], { stdio: 'inherit' });
}
const inputs = JSON.parse(fs.readFileSync(path.join(dir, 'inputs.json'), 'utf8'));
const require = createRequire(import.meta.url);

// The module decoding each transfer syntax, as the core's registry says (src/codec/registry.cpp).
const registry = await core();
const moduleOf = (uid) => registry.codecModule(uid) || 'core';

async function lazydcmDecoder(flavour) {
  const decoders = new Map();
  for (const module of ['core', 'j2k', 'jpegls', 'jxl']) {  // the decoding modules (not icc)
    const name = `lazydcm-${module}${flavour === 'simd' ? '-simd' : ''}`;
    const factory = (await import(path.join(root, 'web/dist/wasm', `lazydcm-${module}.mjs`))).default;  // one loader for both builds
    const m = await factory({ wasmBinary: fs.readFileSync(path.join(root, 'web/dist/wasm', `${name}.wasm`)) });
    // The build asked for, through the wrapper every lazydcm decode goes through (wasm/core.ts).
    decoders.set(module, moduleDecoder(m));
  }
  return (input) => {
    const d = decoders.get(moduleOf(input.transferSyntax));
    return (bytes) => d.decode(input.transferSyntax, input.frame, bytes, input.frame).bytes.length;
  };
}

async function cornerstone(pkg, file, cls) {
  // Their package exports hide dist/; load the decode-only builds by path.
  const f = require(path.join(root, 'node_modules/@cornerstonejs', pkg, 'dist', file));
  const m = await f();
  const d = new m[cls]();
  return () => (bytes) => {
    d.getEncodedBuffer(bytes.length).set(bytes);
    d.decode();
    return d.getDecodedBuffer().length;
  };
}

// @jsquash/jxl (Squoosh's libjxl build) decodes to 8-bit RGBA ImageData: Node has no ImageData.
globalThis.ImageData ??= class ImageData {
  constructor(data, width, height) { Object.assign(this, { data, width, height }); }
};
async function jsquashJxl() {
  const { init } = await import('@jsquash/jxl/decode.js');
  // What its decode() calls once the module is loaded (decode() itself only adds an await).
  const m = await init(await WebAssembly.compile(fs.readFileSync(path.join(root, 'node_modules/@jsquash/jxl/codec/dec/jxl_dec.wasm'))));
  return () => (bytes) => m.decode(bytes).data.length;
}

const peers = {
  '1.2.840.10008.1.2.4.50': ['@cornerstonejs/codec-libjpeg-turbo-8bit', () => cornerstone('codec-libjpeg-turbo-8bit', 'libjpegturbowasm_decode.js', 'JPEGDecoder')],
  '1.2.840.10008.1.2.4.90': ['@cornerstonejs/codec-openjpeg', () => cornerstone('codec-openjpeg', 'openjpegwasm_decode.js', 'J2KDecoder')],
  '1.2.840.10008.1.2.4.201': ['@cornerstonejs/codec-openjph', () => cornerstone('codec-openjph', 'openjphjs.js', 'HTJ2KDecoder')],
  '1.2.840.10008.1.2.4.80': ['@cornerstonejs/codec-charls', () => cornerstone('codec-charls', 'charlswasm_decode.js', 'JpegLSDecoder')],
  // 8-bit RGBA out: compared on the RGB slide tiles only (it cannot return the CT's 16-bit values).
  '1.2.840.10008.1.2.4.112': ['@jsquash/jxl', jsquashJxl],
  '1.2.840.10008.1.2.4.111': ['@jsquash/jxl', jsquashJxl],
};

/**
 * Median ms per frame of each decoder, run interleaved (A, B, C, A, B, C…: batches of 5 frames
 * each, ~1.5 s per decoder in all) so that machine noise hits every decoder alike.
 */
function timeInterleaved(decoders, frames) {
  for (const d of decoders) for (let i = 0; i < 5; i++) d(frames[i % frames.length]);
  const samples = decoders.map(() => []);
  const until = performance.now() + 1500 * decoders.length;
  for (let round = 0, i = 0; round < 8 || performance.now() < until; round++) {
    decoders.forEach((d, k) => {
      for (let b = 0; b < 5; b++, i++) {
        const t0 = performance.now();
        d(frames[i % frames.length]);
        samples[k].push(performance.now() - t0);
      }
    });
    if (samples[0].length > 5000) break;
  }
  return samples.map((s) => s.sort((a, b) => a - b)[s.length >> 1]);
}

const ours = { simd: await lazydcmDecoder('simd'), baseline: await lazydcmDecoder('baseline') };
const nativeBin = path.join(root, 'build/native/bench/lazydcm_bench_decode');
const native = fs.existsSync(nativeBin) ? JSON.parse(execFileSync(nativeBin, [dir]).toString()) : {};
const rows = [];
const only = process.argv[2] ? new RegExp(process.argv[2]) : null;  // e.g. node bench/decode.mjs htj2k
for (const [name, input] of Object.entries(inputs)) {
  if (only && !only.test(name)) continue;
  const frames = input.files.map((f) => new Uint8Array(fs.readFileSync(path.join(dir, f))));
  const decoders = [ours.simd(input), ours.baseline(input)];
  const peer = peers[input.transferSyntax] ?? (input.transferSyntax.startsWith('1.2.840.10008.1.2.4.20') ? peers['1.2.840.10008.1.2.4.201'] : undefined);
  if (peer) decoders.push((await peer[1]())(input));
  const [simd, baseline, peerMs] = timeInterleaved(decoders, frames);
  rows.push({ input: name, simd, baseline, peerName: peer?.[0], peer: peerMs, native: native[name] });
}

// Reduced resolution (JPEG 2000 / HTJ2K): a 256² view of a 512² frame without decoding the finest
// resolution, against the full decode, interleaved (lazydcm WASM SIMD).
const reduced = [];
for (const name of ['ct512_j2k', 'ct512_htj2k', 'htj2k_rgb_512']) {
  const input = inputs[name];
  if (!input || (only && !only.test(name))) continue;
  const frames = input.files.map((f) => new Uint8Array(fs.readFileSync(path.join(dir, f))));
  const [full, half, quarter] = timeInterleaved([ours.simd(input), ours.simd({ ...input, frame: { ...input.frame, reduce: 1 } }),
    ours.simd({ ...input, frame: { ...input.frame, reduce: 2 } })], frames);
  reduced.push({ input: name, full, half, quarter });
}

const machine = `${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}`;
console.log(`Decode time per frame (median ms), one Node process. Machine: ${machine}\n`);
console.log('| input | lazydcm WASM SIMD | lazydcm WASM | peer (npm) | peer ms | lazydcm native | peer / lazydcm SIMD |');
console.log('|---|---:|---:|---|---:|---:|---:|');
const f = (x) => (x === undefined ? '—' : x.toFixed(2));
for (const r of rows) {
  console.log(`| ${r.input} | ${f(r.simd)} | ${f(r.baseline)} | ${r.peerName ?? 'none in WASM'} | ${f(r.peer)} | ${f(r.native)} | ${r.peer ? (r.peer / r.simd).toFixed(2) + '×' : '—'} |`);
}
if (reduced.length) {
  console.log('\nReduced resolution, lazydcm WASM SIMD (median ms per frame):\n');
  console.log('| input | full | 1/2 (reduce 1) | speed-up | 1/4 (reduce 2) | speed-up |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of reduced) {
    console.log(`| ${r.input} | ${f(r.full)} | ${f(r.half)} | ${(r.full / r.half).toFixed(1)}× | ${f(r.quarter)} | ${(r.full / r.quarter).toFixed(1)}× |`);
  }
}
fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench/results/decode.json'), JSON.stringify({ machine, rows, reduced }, null, 1));
