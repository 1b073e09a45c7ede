// Header parse time of a large multi-frame file, side by side in one Node process:
// lazydcm (WASM: header + frame index), dicom-parser and dcmjs (npm), and lazydcm native.
// Usage: node bench/parse-header.mjs [file] [runs]   (default: bench/data/wsi_50k.dcm, made by
// bench/make-large-header.py). Prints a markdown table and writes bench/results/parse-header.json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import dcmjs from 'dcmjs';
import dicomParser from 'dicom-parser';

import { MemorySource, open } from '../web/dist/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2] ?? path.join(root, 'bench/data/wsi_50k.dcm');
const runs = Number(process.argv[3] ?? 7);
if (!fs.existsSync(file)) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  execFileSync('/usr/bin/python3', [path.join(root, 'bench/make-large-header.py'), file]);
}
const bytes = new Uint8Array(fs.readFileSync(file));
dcmjs.log.level = 'error';

async function time(fn) {
  const samples = [];
  try {
    await fn(); // warm-up (module instantiation, JIT)
  } catch (e) {
    return { error: String(e?.exception ?? e?.message ?? e) };
  }
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[samples.length >> 1], min: samples[0] };
}

const results = {};
let frames = 0;
results['lazydcm (WASM)'] = await time(async () => {
  const inst = await open(new MemorySource(bytes, file));
  frames = inst.frames.length;
  await inst.close();
});
results['dicom-parser 1.8'] = await time(() => {
  dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' });
});
results['dcmjs 0.52'] = await time(() => {
  dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), {
    untilTag: '7FE00010', includeUntilTagValue: false, noCopy: true,
  });
});
const nativeBin = path.join(root, 'build/native/bench/lazydcm_bench_parse');
if (fs.existsSync(nativeBin)) {
  const out = JSON.parse(execFileSync(nativeBin, [file, String(runs)]).toString());
  results['lazydcm (native)'] = { median: out.native_ms, min: out.native_ms };
}

const machine = `${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}`;
console.log(`Header parse, ${path.basename(file)} (${(bytes.length / 1e6).toFixed(1)} MB, ${frames} frames), median of ${runs} runs`);
console.log(`Machine: ${machine}\n`);
console.log('| parser | median ms | min ms |\n|---|---:|---:|');
for (const [name, r] of Object.entries(results)) {
  console.log(r.error ? `| ${name} | fails: ${r.error} | |` : `| ${name} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)} |`);
}
fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench/results/parse-header.json'), JSON.stringify({ file, frames, machine, runs, results }, null, 1));
