// Decode time per frame, side by side in one Node process: lazydcm's WASM (SIMD and baseline
// builds), the cornerstone codecs from npm (the browser peers), and lazydcm native.
// Usage: node bench/decode.mjs   (inputs from bench/make-codec-inputs.py, made on first run)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'bench/data/codec');
if (!fs.existsSync(path.join(dir, 'inputs.json'))) {
  execFileSync('/usr/bin/python3', [path.join(root, 'bench/make-codec-inputs.py'), dir], { stdio: 'inherit' });
}
const inputs = JSON.parse(fs.readFileSync(path.join(dir, 'inputs.json'), 'utf8'));
const require = createRequire(import.meta.url);

async function lazydcmDecoder(flavour) {
  const name = flavour === 'simd' ? 'lazydcm-core-simd' : 'lazydcm-core';
  const factory = (await import(path.join(root, 'web/dist/wasm', `${name}.mjs`))).default;
  const m = await factory({ wasmBinary: fs.readFileSync(path.join(root, 'web/dist/wasm', `${name}.wasm`)) });
  const d = new m.Decoder();
  return (input) => {
    const frameJson = JSON.stringify(input.frame);
    return (bytes) => {
      d.inputBuffer(bytes.length).set(bytes);
      const rc = d.decode(input.transferSyntax, frameJson, bytes.length);
      if (rc !== 0) throw new Error(d.errorJson());
      return d.outputView().length;
    };
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

const peers = {
  '1.2.840.10008.1.2.4.50': ['@cornerstonejs/codec-libjpeg-turbo-8bit', () => cornerstone('codec-libjpeg-turbo-8bit', 'libjpegturbowasm_decode.js', 'JPEGDecoder')],
  '1.2.840.10008.1.2.4.90': ['@cornerstonejs/codec-openjpeg', () => cornerstone('codec-openjpeg', 'openjpegwasm_decode.js', 'J2KDecoder')],
  '1.2.840.10008.1.2.4.201': ['@cornerstonejs/codec-openjph', () => cornerstone('codec-openjph', 'openjphjs.js', 'HTJ2KDecoder')],
  '1.2.840.10008.1.2.4.80': ['@cornerstonejs/codec-charls', () => cornerstone('codec-charls', 'charlswasm_decode.js', 'JpegLSDecoder')],
};

function time(decode, frames) {
  for (let i = 0; i < 5; i++) decode(frames[i % frames.length]);
  const samples = [];
  const until = performance.now() + 1500;
  for (let i = 0; samples.length < 20 || performance.now() < until; i++) {
    const t0 = performance.now();
    decode(frames[i % frames.length]);
    samples.push(performance.now() - t0);
    if (samples.length > 5000) break;
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

const ours = { simd: await lazydcmDecoder('simd'), baseline: await lazydcmDecoder('baseline') };
const nativeBin = path.join(root, 'build/native/bench/lazydcm_bench_decode');
const native = fs.existsSync(nativeBin) ? JSON.parse(execFileSync(nativeBin, [dir]).toString()) : {};
const rows = [];
for (const [name, input] of Object.entries(inputs)) {
  const frames = input.files.map((f) => new Uint8Array(fs.readFileSync(path.join(dir, f))));
  const row = { input: name, simd: time(ours.simd(input), frames), baseline: time(ours.baseline(input), frames) };
  const peer = peers[input.transferSyntax];
  if (peer) {
    row.peerName = peer[0];
    row.peer = time((await peer[1]())(input), frames);
  }
  row.native = native[name];
  rows.push(row);
}

const machine = `${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}`;
console.log(`Decode time per frame (median ms), one Node process. Machine: ${machine}\n`);
console.log('| input | lazydcm WASM SIMD | lazydcm WASM | peer (npm) | peer ms | lazydcm native | peer / lazydcm SIMD |');
console.log('|---|---:|---:|---|---:|---:|---:|');
const f = (x) => (x === undefined ? '—' : x.toFixed(2));
for (const r of rows) {
  console.log(`| ${r.input} | ${f(r.simd)} | ${f(r.baseline)} | ${r.peerName ?? 'none in WASM'} | ${f(r.peer)} | ${f(r.native)} | ${r.peer ? (r.peer / r.simd).toFixed(2) + '×' : '—'} |`);
}
fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench/results/decode.json'), JSON.stringify({ machine, rows }, null, 1));
