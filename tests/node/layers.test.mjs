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
