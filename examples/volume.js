// The volume viewer on the public API: openSeries / openSegmentation + VolumeView (WebGL2 MPR).
import { invertAffine, labelColourTable, openSegmentation, openSeries, Volume, VolumeView, WINDOW_PRESETS } from '/web/dist/browser.js';
import { $, idcFromQuery, persistentCache, row, setState, showError, sourceOf } from './common.js';

const CT_SAMPLES = { sample: '/build/fixtures/demo/ct.zip', oblique: '/build/fixtures/volume/enhanced_ct.dcm' };
const SEG_SAMPLES = { sample: '/build/fixtures/demo/seg.dcm', oblique: '/build/fixtures/volume/seg_binary.dcm' };
const IDC_DICOMWEB = 'https://proxy.imaging.datacommons.cancer.gov/current/viewer-only-no-downloads-see-tinyurl-dot-com-slash-3j3d9jyp/dicomWeb';
const PLANES = ['axial', 'coronal', 'sagittal'];
const PANE = 384;

let current = null;
const hidden = new Set();

function status(text) {
  $('status').textContent = text;
}

/** The CT series a SEG references, through the IDC DICOMweb proxy (its files live under other UUIDs). */
function referencedSeries(seg) {
  const ds = seg.instance.dataset().dataset;
  const study = ds['0020000D']?.Value?.[0];
  const series = ds['00081115']?.Value?.[0]?.['0020000E']?.Value?.[0];
  if (!study || !series) throw new Error('the SEG names no referenced series (Referenced Series Sequence)');
  return `${IDC_DICOMWEB}/studies/${study}/series/${series}`;
}

async function show(ctSrc, segSrc) {
  showError(null);
  setState('loading');
  try {
    await current?.close();
    current = null;
    hidden.clear();
    const t0 = performance.now();
    status('opening the segmentation…');
    const seg = segSrc ? await openSegmentation(typeof segSrc === 'string' ? sourceOf(segSrc, SEG_SAMPLES) : segSrc) : null;
    if (ctSrc === 'referenced') ctSrc = referencedSeries(seg);
    status('reading the CT headers…');
    const series = await openSeries(ctSrc, { persistentCache });
    status(`reading ${series.instances.length} instance(s) of pixels…`);
    $('viewer').hidden = false;
    // ?maxTexture=N: a smaller 3D texture limit than the GPU's (a volume bricked as a larger one would be).
    const maxTextureSize = Number(new URLSearchParams(location.search).get('maxTexture')) || undefined;
    const view = new VolumeView($('volume-canvas'), { interpolation: 'nearest', maxTextureSize });
    const modality = series.instances[0].dataset().dataset['00080060']?.Value?.[0];
    const ctWindow = modality === 'CT' ? WINDOW_PRESETS['Soft tissue'] : undefined;
    // The volume shown as it fills: an empty grid first (textures only: the one copy of the volume
    // is the one getVolume fills), then each slice as it is read — the middle (on screen in the
    // axial pane) first, then outward.
    const g = await series.volumeGeometry();
    const S = g.slices;
    view.setGrid({ shape: [g.slices, g.rows, g.columns], affine: g.affine }, ctWindow ?? { center: 0, width: 1 }, { integer: modality === 'CT' });
    const panes = PLANES.map((plane, i) => ({ plane, slice: 0, x: i * PANE, y: 0, width: PANE, height: PANE }));
    panes.forEach((p) => { p.slice = Math.floor(view.slices(p.plane) / 2); });
    current = {
      view, volume: null, labels: null, seg, series, panes, overlay: null, fill: [],
      close: async () => { view.destroy(); await series.close(); await seg?.close(); },
    };
    const mine = current;
    window.demo = { ...current, draw, setSlice, setWindow, toggleSegment };
    controls();
    draw();
    let pending = 0;
    const volume = await series.getVolume({ dtype: 'float32', firstSlice: Math.floor(S / 2),
      onProgress: (p) => status(`CT frames ${p.framesDone} / ${p.framesTotal}`),
      onSlice: (k, values) => {
        if (current !== mine) return;
        mine.fill.push({ slice: k, ms: performance.now() - t0 });
        view.updateSlice(k, values);
        if (!pending) pending = requestAnimationFrame(() => { pending = 0; if (current === mine) draw(); });
      } });
    if (current !== mine) return;
    // The whole volume once more (its own window for non-CT, and the integer/float choice from its values).
    view.setVolume(volume, ctWindow);
    mine.volume = volume;
    const summary = `${volume.shape.join(' × ')} voxels, spacing ${volume.spacing.map((s) => s.toFixed(2)).join(' × ')} mm, read in ${Math.round(performance.now() - t0)} ms`;
    status(summary);
    window.demo = { ...current, draw, setSlice, setWindow, toggleSegment };
    draw();
    if (seg) {
      // The overlay, slice by slice: the SEG slice under the axial pane first, then outward; each
      // slice reads only its own frames, and shows as soon as it is read.
      const mine = current;
      const note = await fillOverlay(mine).then(() => '', (e) => ` — no overlay: ${e.message}`);
      if (current !== mine) return;
      status(summary + note);
      segmentsList(current.labels ? seg : null);
      window.demo = { ...current, draw, setSlice, setWindow, toggleSegment };
    }
    setState('ready');
  } catch (e) {
    showError(e);
  }
}

function draw() {
  const { view, panes, series, seg } = current;
  view.draw(panes);
  panes.forEach((p, i) => {
    const input = $(`slice-${i}`), slices = view.slices(p.plane);
    input.max = slices - 1;
    input.value = p.slice;
    $(`out-${i}`).textContent = `${p.slice + 1} / ${slices}`;
  });
  $('wc').value = view.window.center;
  $('ww').value = view.window.width;
  for (const b of $('presets').children) {
    const w = WINDOW_PRESETS[b.textContent];
    b.classList.toggle('active', !!w && w.center === view.window.center && w.width === view.window.width);
  }
  const st = [series.stats, ...(seg ? [seg.instance.stats] : [])];
  const sum = (k) => st.reduce((a, s) => a + s[k], 0);
  const c = $('counters');
  c.replaceChildren();
  for (const [k, v] of [['Requests', sum('requests')], ['Bytes', sum('bytes').toLocaleString()], ['Instances', series.instances.length]]) row(c, k, v);
}

function setSlice(i, k) {
  const p = current.panes[i];
  p.slice = Math.max(0, Math.min(current.view.slices(p.plane) - 1, k));
  draw();
}

/** Fills the label volume of `state.seg` slice by slice (the slice on screen first); records the first slice's cost. */
async function fillOverlay(state) {
  const { seg, view, volume, panes } = state;
  const overlay = seg.overlay();
  const { shape, affine } = await overlay.grid();
  const [s, r, c] = shape;
  const wide = Math.max(...seg.segments.map((x) => x.number)) > 255;
  const labels = new Volume(new (wide ? Uint16Array : Uint8Array)(s * r * c), shape, wide ? 'uint16' : 'uint8', affine);
  // The SEG slice under the axial pane: its centre in patient space, on the SEG's grid.
  const axial = panes[0].slice, toSeg = invertAffine(affine);
  const p = [0, 1, 2].map((a) => volume.affine[a][0] * axial + volume.affine[a][1] * (volume.shape[1] / 2) + volume.affine[a][2] * (volume.shape[2] / 2) + volume.affine[a][3]);
  const first = Math.max(0, Math.min(s - 1, Math.round(toSeg[0][0] * p[0] + toSeg[0][1] * p[1] + toSeg[0][2] * p[2] + toSeg[0][3])));
  // That slice first (the first overlay: the header plus its frames), then the slices after and
  // before it, each as one slab (their frames coalesced into few requests).
  // Frames asked for: fetched, or found in the frame cache (a small SEG's frames come with its header).
  const stats = seg.instance.stats, asked = () => stats.cacheHits + stats.cacheMisses;
  const before = { requests: stats.requests, frames: asked() };
  for (const [k0, k1] of [[first, first + 1], [first + 1, s], [0, first]]) {
    if (k0 >= k1) continue;
    const slab = await overlay.slab(k0, k1);
    if (current !== state) return;
    labels.data.set(slab.data, k0 * r * c);
    if (!state.labels) {
      view.setLabels(labels, labelColourTable(seg.segments, hidden));
      state.labels = labels;
      state.firstOverlay = { slice: k0, framesRead: asked() - before.frames, requests: stats.requests - before.requests };
    } else {
      for (let k = k0; k < k1; k++) view.setLabelSlice(k, slab.data.subarray((k - k0) * r * c, (k - k0 + 1) * r * c));
    }
    draw();
  }
  state.overlay = overlay;
}

function setWindow(w) {
  current.view.window = { ...w };
  draw();
}

function toggleSegment(number, on) {
  if (on) hidden.delete(number); else hidden.add(number);
  current.view.setColours(labelColourTable(current.seg.segments, hidden));
  const box = document.querySelector(`#segments input[data-number="${number}"]`);
  if (box) box.checked = on;
  draw();
}

function controls() {
  const box = $('presets');
  box.replaceChildren();
  for (const [name, w] of Object.entries(WINDOW_PRESETS)) {
    const b = document.createElement('button');
    b.textContent = name;
    b.onclick = () => setWindow(w);
    box.append(b);
  }
}

function segmentsList(seg) {
  const ul = $('segments');
  ul.replaceChildren();
  $('segments-title').hidden = !seg;
  if (!seg) return;
  const lut = labelColourTable(seg.segments);
  for (const s of seg.segments) {
    const li = document.createElement('li');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = true;
    box.dataset.number = s.number;
    box.onchange = () => toggleSegment(s.number, box.checked);
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = `rgb(${lut[4 * s.number]}, ${lut[4 * s.number + 1]}, ${lut[4 * s.number + 2]})`;
    const label = document.createElement('label');
    label.append(box, sw, ` ${s.number}. ${s.label}`);
    li.append(label);
    ul.append(li);
  }
}

// Slice sliders, wheel scrolling, window inputs, opacity, hover readout.
for (let i = 0; i < 3; i++) $(`slice-${i}`).addEventListener('input', (e) => setSlice(i, Number(e.target.value)));
const canvas = $('volume-canvas');
const paneAt = (e) => current?.panes[Math.min(2, Math.floor(e.offsetX * canvas.width / canvas.clientWidth / PANE))];
canvas.addEventListener('wheel', (e) => {
  const p = paneAt(e);
  if (!p) return;
  e.preventDefault();
  setSlice(current.panes.indexOf(p), p.slice + Math.sign(e.deltaY));
}, { passive: false });
canvas.addEventListener('mousemove', (e) => {
  const p = paneAt(e);
  if (!p || !current?.volume) return;  // (still filling)
  const scale = canvas.width / canvas.clientWidth;
  const [x, y, z] = current.view.canvasToPatient(p, Math.floor(e.offsetX * scale), Math.floor(e.offsetY * scale));
  const [s, r, c] = current.volume.patientToVoxel(x, y, z).map(Math.round);
  const [S, R, C] = current.volume.shape;
  const inside = s >= 0 && s < S && r >= 0 && r < R && c >= 0 && c < C;
  const value = inside ? current.volume.data[(s * R + r) * C + c] : null;
  $('readout').textContent = `LPS (${x.toFixed(1)}, ${y.toFixed(1)}, ${z.toFixed(1)}) mm` +
    (inside ? `  voxel [${s}, ${r}, ${c}]  value ${value}` : '  outside the volume');
});
$('wc').addEventListener('change', () => setWindow({ center: Number($('wc').value), width: current.view.window.width }));
$('ww').addEventListener('change', () => setWindow({ center: current.view.window.center, width: Math.max(1, Number($('ww').value)) }));
$('opacity').addEventListener('input', (e) => { current.view.opacity = Number(e.target.value); draw(); });

$('url-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const ct = $('ct-url').value.trim(), seg = $('seg-url').value.trim();
  if (!ct) return;
  history.pushState(null, '', `?ct=${encodeURIComponent(ct)}${seg ? `&seg=${encodeURIComponent(seg)}` : ''}`);
  show(sourceOf(ct, CT_SAMPLES), seg || null);
});
// Local files: the CT (files, a zip, or a folder) with the SEG file if one is picked, in either order.
function openLocal() {
  const files = [...$('ct-folder').files, ...$('ct-files').files];
  if (files.length) show(files.length === 1 ? files[0] : files, $('seg-file').files[0] ?? null);
}
for (const id of ['ct-files', 'ct-folder', 'seg-file']) $(id).addEventListener('change', openLocal);

const q = new URLSearchParams(location.search);
if (q.get('idc')) {
  // An IDC series by SeriesInstanceUID: listed and read from either mirror.
  setState('loading');
  idcFromQuery(q).seriesUid(q.get('idc')).then((files) => show(files, q.get('seg')), showError);
} else if (q.get('ct')) show(q.get('ct') === 'referenced' ? 'referenced' : sourceOf(q.get('ct'), CT_SAMPLES), q.get('seg'));
