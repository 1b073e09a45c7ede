// The IDC collection browser on the public API: Idc.series over the idc-index tables, links to the
// viewers by SeriesInstanceUID (slides to the slide viewer, the rest to the volume viewer).
import { $, idcFromQuery, idcParams, setState, showError } from './common.js';

const LIMIT = 500;
const FIELDS = ['collection', 'patient', 'modality', 'series'];

async function find(query) {
  showError(null);
  setState('loading');
  try {
    const idc = idcFromQuery();
    $('status').textContent = 'reading the index…';
    const rows = await idc.series({ ...query, limit: LIMIT });
    const c = idc.lastQuery;
    const body = $('series-table').tBodies[0];
    body.replaceChildren();
    const pass = idcParams();
    for (const r of rows) {
      const tr = body.insertRow();
      for (const v of [r.PatientID, r.StudyInstanceUID, r.SeriesInstanceUID, r.Modality, r.SeriesDescription, r.instanceCount, r.series_size_MB]) tr.insertCell().textContent = v ?? '';
      const a = document.createElement('a');
      pass.set('idc', r.SeriesInstanceUID);
      a.href = `${r.Modality === 'SM' ? 'slide.html' : 'volume.html'}?${pass}`;
      a.textContent = r.Modality === 'SM' ? 'slide viewer' : 'volume viewer';
      tr.insertCell().append(a);
    }
    $('series-table').hidden = false;
    const mb = rows.reduce((a, r) => a + Number(r.series_size_MB ?? 0), 0);
    $('status').textContent = `${rows.length}${rows.length === LIMIT ? '+' : ''} series, ${mb.toFixed(1)} MB, `
      + (c.cached ? 'from the persistent cache (no request)' : `${c.requests} requests, ${(c.bytes / 2 ** 20).toFixed(2)} MB of the ${(c.fileBytes / 2 ** 20).toFixed(1)} MB table (${c.rowGroupsRead} of ${c.rowGroups} row groups)`);
    window.demo = { idc, rows, query: c };
    setState('ready');
  } catch (e) {
    showError(e);
  }
}

$('query-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = idcParams();
  for (const f of FIELDS) if ($(f).value.trim()) q.set(f, $(f).value.trim());
  history.pushState(null, '', `?${q}`);
  find(Object.fromEntries(FIELDS.filter((f) => q.get(f)).map((f) => [f, q.get(f)])));
});
const q = new URLSearchParams(location.search);
for (const f of FIELDS) $(f).value = q.get(f) ?? '';
if (FIELDS.some((f) => q.get(f))) find(Object.fromEntries(FIELDS.filter((f) => q.get(f)).map((f) => [f, q.get(f)])));
else setState('ready');
