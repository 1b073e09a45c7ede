// What the demo pages share: element lookup, table rows, the error banner, sources from the
// query string. (Paths such as '/build/…' are read by lazydcm as URLs on this server.)
import { Idc, PersistentCache } from '/web/dist/browser.js';

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

/**
 * The IDC client of the pages: the public release and buckets, or other tables and mirrors named in
 * the query string (`index`, `sm`: table URLs; `aws`, `gcs`, `gcsApi`: endpoints; `mirror`) — the
 * demo server passes its local test copies this way. Query results are kept in Cache Storage.
 */
export function idcFromQuery(q = new URLSearchParams(location.search)) {
  const tables = q.get('index') ? { index: q.get('index'), sm_instance_index: q.get('sm') ?? undefined } : undefined;
  const endpoints = q.get('aws') || q.get('gcs') ? { aws: q.get('aws') ?? undefined, gcs: q.get('gcs') ?? undefined, gcsApi: q.get('gcsApi') ?? q.get('gcs') ?? undefined } : undefined;
  return new Idc({ tables, endpoints, mirror: q.get('mirror') ?? undefined, persistentCache });
}

/** The query-string parameters naming IDC tables and mirrors, to pass on in links. */
export function idcParams(q = new URLSearchParams(location.search)) {
  const keep = new URLSearchParams();
  for (const k of ['index', 'sm', 'aws', 'gcs', 'gcsApi', 'mirror']) if (q.get(k)) keep.set(k, q.get(k));
  return keep;
}
