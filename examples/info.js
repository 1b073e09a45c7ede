// The demo uses only the public API of the npm package.
import { open } from '/web/dist/browser.js';
import { $, row, setState, showError } from './common.js';

const samples = ['large_eot', 'large_tiff', 'large_scan', 'slide_bot', 'slide_multifrag_scan', 'native16',
  'native1bit', 'deflated'];

for (const name of samples) {
  const a = document.createElement('a');
  a.href = `?src=/build/fixtures/index/${name}.dcm`;
  a.textContent = name;
  $('samples').append(' ', a);
}

async function show(src, label) {
  showError(null);
  $('result').hidden = true;
  try {
    const inst = await open(src, { firstRead: 64 * 1024 });
    const s = inst.summary;
    $('title').textContent = label;
    const t = $('summary');
    t.replaceChildren();
    row(t, 'SOP class', `${s.sopClassName ?? ''} ${s.sopClassUid ?? ''}`);
    row(t, 'Transfer syntax', `${s.transferSyntaxName} (${s.transferSyntaxUid})`);
    row(t, 'Rows × columns', s.rows !== null ? `${s.rows} × ${s.columns}` : null);
    row(t, 'Frames', s.numberOfFrames);
    row(t, 'Bits', s.bitsAllocated !== null ? `allocated ${s.bitsAllocated}, stored ${s.bitsStored}` : null);
    row(t, 'Samples / photometric', s.samplesPerPixel !== null ? `${s.samplesPerPixel} / ${s.photometricInterpretation}` : null);
    if (s.totalPixelMatrixRows) row(t, 'Total pixel matrix', `${s.totalPixelMatrixRows} × ${s.totalPixelMatrixColumns}`);
    row(t, 'Frame index', s.frameIndex ? `${s.frameIndex.kind} (${s.frameIndex.frames} frames)` :
      s.frameIndexError ? `error: ${s.frameIndexError.name} — ${s.frameIndexError.message}` : 'no pixel data');
    for (const n of s.frameIndex?.notes ?? []) row(t, 'Note', n);
    for (const w of s.warnings) row(t, 'Warning', w);
    const st = $('stats');
    st.replaceChildren();
    row(st, 'File size', `${s.fileSize.toLocaleString()} bytes`);
    row(st, 'Requests', inst.stats.requests);
    row(st, 'Bytes read', `${inst.stats.bytes.toLocaleString()} (${(100 * inst.stats.bytes / s.fileSize).toFixed(1)} %)`);
    for (const n of inst.stats.notes) row(st, 'Note', n);
    const tbody = $('frames').tBodies[0];
    tbody.replaceChildren();
    inst.frames.slice(0, 20).forEach((f, i) => {
      const tr = tbody.insertRow();
      for (const v of [i + 1, f.offset, f.length, f.hasItemHeaders ? 'yes' : 'no']) tr.insertCell().textContent = v;
    });
    $('json').textContent = JSON.stringify(inst.dataset().dataset, null, 1);
    await inst.close();
    $('result').hidden = false;
    setState('shown');
  } catch (e) {
    showError(e);
  }
}

$('url-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const url = $('url').value.trim();
  if (url) history.pushState(null, '', `?src=${encodeURIComponent(url)}`), show(url, url);
});
$('file').addEventListener('change', () => {
  const f = $('file').files[0];
  if (f) show(f, f.name);
});
const initial = new URLSearchParams(location.search).get('src');
if (initial) show(new URL(initial, location.href).href, initial);
