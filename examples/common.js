// What the demo pages share: element lookup, table rows, the error banner, sources from the
// query string. (Paths such as '/build/…' are read by lazydcm as URLs on this server.)
import { PersistentCache } from '/web/dist/browser.js';

export const $ = (id) => document.getElementById(id);

/**
 * The viewers keep what opening cost (header bytes, frame indexes) in the browser's Cache Storage:
 * reopening a slide or series reads neither again (one request to check it is unchanged).
 */
export const persistentCache = new PersistentCache();

/** The bundled demo slide (tests/fixtures/demo_fixtures.py). */
export const SAMPLE_SLIDE = ['level0', 'level1', 'level2', 'level3', 'label', 'thumbnail'].map((n) => `/build/fixtures/demo/slide/${n}.dcm`);

/** A named sample, one URL or path, or several separated by spaces. */
export function sourceOf(param, samples = {}) {
  if (Object.hasOwn(samples, param)) return samples[param];
  const parts = param.split(/\s+/).filter(Boolean);
  return parts.length === 1 ? parts[0] : parts;
}

export function row(table, label, value) {
  const tr = table.insertRow();
  tr.insertCell().textContent = label;
  tr.insertCell().textContent = value ?? '—';
}

export function setState(state) {
  document.body.dataset.state = state;
}

/** Shows a LazydcmError (code name and message) in the #error banner; null hides it. */
export function showError(e) {
  $('error').hidden = !e;
  if (!e) return;
  console.error(e);
  $('error').textContent = `${e.codeName ?? e.name}: ${e.message}`;
  setState('error');
}
