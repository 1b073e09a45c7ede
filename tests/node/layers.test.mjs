// The TypeScript sources' layering: no import cycle in web/src (type-only imports included), and
// the browser entry reaches no Node-only module. Static: reads the sources, runs nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/src');

function importGraph() {
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(src);
  const edges = new Map();
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    const targets = [];
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
      const t = path.normalize(path.join(path.dirname(f), m[1].replace(/\.js$/, '.ts')));
      if (fs.existsSync(t)) targets.push(t);
    }
    for (const m of text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g)) {
      const t = path.normalize(path.join(path.dirname(f), m[1].replace(/\.js$/, '.ts')));
      if (fs.existsSync(t)) targets.push(t);
    }
    edges.set(f, targets);
  }
  return edges;
}

test('no import cycle in web/src (type-only imports included)', () => {
  const edges = importGraph();
  const seen = new Set(), onStack = new Set(), stack = [], cycles = [];
  const visit = (n) => {
    seen.add(n); onStack.add(n); stack.push(n);
    for (const m of edges.get(n) ?? []) {
      if (onStack.has(m)) cycles.push([...stack.slice(stack.indexOf(m)), m].map((f) => path.relative(src, f)).join(' -> '));
      else if (!seen.has(m)) visit(m);
    }
    stack.pop(); onStack.delete(n);
  };
  for (const f of edges.keys()) if (!seen.has(f)) visit(f);
  assert.deepEqual(cycles, []);
});

test('the browser entry reaches no Node-only module', () => {
  const edges = importGraph();
  const reached = new Set();
  const visit = (n) => {
    if (reached.has(n)) return;
    reached.add(n);
    for (const m of edges.get(n) ?? []) visit(m);
  };
  visit(path.join(src, 'browser.ts'));
  const nodeOnly = [...reached].filter((f) => /\bfrom\s+'node:|import\('node:/.test(fs.readFileSync(f, 'utf8')));
  assert.deepEqual(nodeOnly.map((f) => path.relative(src, f)), []);
});

// The C++ core's layers: each folder of src/ includes only itself and the folders below it (the
// session sits on top; image/ knows nothing of seg/, volume/ or the session).
test('src/: each layer includes only the layers below it', () => {
  const below = {
    core: [], dicom: ['core'], codec: ['core'], index: ['core', 'dicom'], pixel: ['core', 'dicom', 'codec'],
    image: ['core', 'dicom', 'codec', 'index'], volume: ['core', 'dicom'], seg: ['core', 'dicom', 'codec', 'volume'],
    wsi: ['core', 'dicom'], session: ['core', 'dicom', 'codec', 'index', 'pixel', 'image', 'volume', 'seg'],
  };
  const cpp = path.resolve(src, '../../src');
  const wrong = [];
  for (const dir of fs.readdirSync(cpp, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
    assert.ok(dir in below, `src/${dir} has no place in the layer list`);
    for (const f of fs.readdirSync(path.join(cpp, dir)).filter((f) => /\.(cpp|hpp|inc)$/.test(f))) {
      for (const m of fs.readFileSync(path.join(cpp, dir, f), 'utf8').matchAll(/#include "(\w+)\//g)) {
        if (m[1] !== dir && !below[dir].includes(m[1])) wrong.push(`src/${dir}/${f} includes ${m[1]}/`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});
