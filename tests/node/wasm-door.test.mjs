// The WASM boundary (issue 15): web/src/wasm/core.ts is the only caller of the bound module and
// wraps exactly what wasm/*.cpp binds (so the two cannot drift); no JSON string crosses except the
// DICOM JSON documents; the glue stays small; every failing call surfaces as a LazydcmError naming
// its source, and the next call starts clean (one error convention).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { LazydcmError } from '../../web/dist/index.js';
import { BOUND, BOUND_MODULES, copies, core } from '../../web/dist/wasm/core.js';
import { loadModule } from '../../web/dist/wasm/load.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const glueFiles = fs.readdirSync(path.join(root, 'wasm')).filter((f) => /\.(cpp|hpp)$/.test(f));
const glue = Object.fromEntries(glueFiles.map((f) => [f, fs.readFileSync(path.join(root, 'wasm', f), 'utf8')]));

/** Each module's source files, from wasm/CMakeLists.txt (`set(shared ...)` and `lazydcm_wasm_module(target name export files...)`). */
function moduleFiles() {
  const cmake = fs.readFileSync(path.join(root, 'wasm/CMakeLists.txt'), 'utf8');
  const shared = cmake.match(/set\(shared ([^)]*)\)/)[1].split(/\s+/);
  const out = {};
  for (const m of cmake.matchAll(/^lazydcm_wasm_module\(\w+ (\w+) \w+ ([^)]*)\)/gm)) {
    out[m[1]] = m[2].split(/\s+/).flatMap((f) => (f === '${shared}' ? shared : [f]));
  }
  return out;
}

/** What a module's C++ binds: classes with their methods and class functions, and module functions. */
function bindings(files) {
  const classes = {}, functions = [];
  for (const f of files) {
    const text = glue[f];
    for (const m of text.matchAll(/emscripten::function\("(\w+)"/g)) functions.push(m[1]);
    for (const m of text.matchAll(/class_<\w+>\("(\w+)"\)([\s\S]*?);\n/g)) {
      classes[m[1]] = {
        methods: [...m[2].matchAll(/\.function\("(\w+)"/g)].map((x) => x[1]),
        classFunctions: [...m[2].matchAll(/\.class_function\("(\w+)"/g)].map((x) => x[1]),
      };
    }
  }
  return { classes, functions };
}

test('core.ts wraps exactly what each module\'s C++ binds, and each loaded module has it', async () => {
  const files = moduleFiles();
  assert.deepEqual(Object.keys(files).sort(), ['core', 'icc', 'j2k', 'jpegls', 'jxl']);
  const expectedClasses = { core: ['Decoder', 'Instance', 'PixelOps', 'Pixels'], j2k: ['Decoder'], jpegls: ['Decoder'], jxl: ['Decoder', 'JpegReconstruction'], icc: ['Icc'] };
  const coreTs = fs.readFileSync(path.join(root, 'web/src/wasm/core.ts'), 'utf8');
  for (const [module, sources] of Object.entries(files)) {
    const { classes, functions } = bindings(sources);
    const wrapped = module === 'core' ? BOUND : BOUND_MODULES[module];
    const m = await loadModule(module);
    assert.deepEqual(Object.keys(classes).sort(), expectedClasses[module], module);
    for (const [name, bound] of Object.entries(classes)) {
      assert.deepEqual([...wrapped[name]].sort(), [...bound.methods].sort(), `${module} ${name}: core.ts BOUND vs wasm/*.cpp`);
      const proto = Object.getOwnPropertyNames(m[name].prototype).filter((k) => k !== 'constructor');
      assert.deepEqual(proto.sort(), [...bound.methods].sort(), `${module} ${name}: the module's prototype vs wasm/*.cpp`);
      const statics = Object.getOwnPropertyNames(m[name]).filter((k) => !['length', 'name', 'prototype', 'argCount'].includes(k));
      assert.deepEqual(statics.sort(), [...(wrapped.classFunctions?.[name] ?? [])].sort(), `${module} ${name}: class functions`);
    }
    assert.deepEqual([...wrapped.functions].sort(), [...functions].sort(), `${module} functions: core.ts BOUND vs wasm/*.cpp`);
    for (const f of functions) assert.equal(typeof m[f], 'function', `${module} ${f}`);
    // Each bound name is called somewhere in core.ts (a wrapper exists for it).
    const all = [...Object.values(classes).flatMap((c) => [...c.methods, ...c.classFunctions]), ...functions];
    for (const name of new Set(all)) assert.match(coreTs, new RegExp(`\\.${name}\\(`), `core.ts calls ${name}`);
  }
});

test('only wasm/core.ts calls the bound module; the glue has no JSON but DICOM JSON and stays small', () => {
  const src = path.join(root, 'web/src');
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(src);
  const callers = files.filter((f) => /\bload(Core|Module)\b|\bRaw(Instance|Pixels|Decoder|PixelOps|Icc|JpegReconstruction)\b|\b(Core|Codec|Icc|Jxl)Module\b/.test(fs.readFileSync(f, 'utf8')))
    .map((f) => path.relative(src, f)).sort();
  assert.deepEqual(callers, ['wasm/core.ts', 'wasm/load.ts']);
  // JSON: parsed nowhere in the glue; serialised once, for Instance.datasetJson (a DICOM JSON document).
  const text = Object.values(glue).join('\n');
  assert.doesNotMatch(text, /json::parse/);
  assert.equal([...text.matchAll(/\.dump\(/g)].length, 1);
  assert.match(glue['instance.cpp'], /std::string instance::datasetJson\(\) const \{[\s\S]*?\.dump\(/);
  for (const [f, t] of Object.entries(glue)) assert.ok(t.split('\n').length <= 280, `wasm/${f}: ${t.split('\n').length} lines`);
});

test('one error convention: a failing call is a LazydcmError naming its source, with its offset; the next call starts clean', async () => {
  const c = await core();
  // Invalid DICOM JSON metadata fails the factory itself.
  assert.throws(() => c.instanceFromMetadata({ '00280010': { vr: 'US', Value: ['x'] } }, '', 'bad.json'),
    (e) => e instanceof LazydcmError && e.source === 'bad.json');
  // A header error (a length past the end of the file) carries its byte offset.
  const bytes = new Uint8Array(132 + 12);
  bytes.set([0x44, 0x49, 0x43, 0x4d], 128);
  bytes.set([0x02, 0x00, 0x10, 0x00, 0x55, 0x49, 0xff, 0x7f], 132);
  const inst = c.openInstance(bytes.length, {}, 'short.dcm');
  inst.feed(0, bytes);
  assert.throws(() => { while (inst.step() === 'needBytes') inst.feed(0, bytes); }, (e) => {
    assert.ok(e instanceof LazydcmError);
    assert.equal(e.source, 'short.dcm');
    assert.equal(typeof e.offset, 'number');
    return true;
  });
  inst.delete();
  // The error does not linger: the next calls succeed.
  assert.equal(c.magnificationString(0.00025), '40X');
  assert.throws(() => c.spacingOfMagnification('forty'), (e) => e instanceof LazydcmError);
  assert.equal(c.spacingOfMagnification('20X'), 0.0005);
  // A closed instance says so instead of calling into freed memory.
  assert.throws(() => inst.summary(), (e) => e.codeName === 'aborted');
  // Copies are counted where bytes cross.
  copies.reset();
  const d = c.decoder();
  const out = d.decode('1.2.840.10008.1.2.1', { rows: 2, columns: 2, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8,
    pixelRepresentation: 0, planarConfiguration: 0, photometricInterpretation: 'MONOCHROME2', bitOffset: 0, bigEndian: false,
    floatData: false }, new Uint8Array([1, 2, 3, 4]));
  d.delete();
  assert.deepEqual([...out.bytes], [1, 2, 3, 4]);
  assert.deepEqual({ in: copies.in, inBytes: copies.inBytes, out: copies.out, outBytes: copies.outBytes }, { in: 1, inBytes: 4, out: 1, outBytes: 4 });
});

test('PixelOps works on one current image in WASM: MONOCHROME1 inverted, placed on a filled canvas (by hand)', async () => {
  const ops = (await core()).pixelOps();
  ops.load(new Uint8Array([0, 10, 255, 128, 1, 2]));  // 2 x 3, one sample
  ops.invert();
  ops.place(2, 3, 1, 3, 4, 1, -1, 9);  // at row 1, column -1 of a 3 x 4 canvas: the first column falls off
  assert.deepEqual([...ops.take()], [9, 9, 9, 9, 245, 0, 9, 9, 254, 253, 9, 9]);
  ops.delete();
});
