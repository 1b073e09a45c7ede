// The slide viewer on the public API: openSlide + SlideView (WebGL2 tiles) + toImageData.
import { EIGHT_BIT, openSlide, SlideView, toImageData } from '/web/dist/browser.js';
import { $, idcFromQuery, persistentCache, row, SAMPLE_SLIDE, setState, showError, sourceOf } from './common.js';

let current = null;

async function show(src, label) {
  showError(null);
  setState('loading');
  try {
    current?.view.destroy();
    await current?.slide.close();
    current = null;
    const slide = await openSlide(src, { persistentCache });
    $('viewer').hidden = false;
    const canvas = $('canvas');
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(canvas.clientWidth * dpr) || 960;
    canvas.height = Math.round(canvas.clientHeight * dpr) || 640;
    const view = new SlideView(canvas, slide, { onDraw: () => update(), onError: (e) => showError(e) });
    view.attachControls();
    current = { slide, view, label };
    window.demo = current;
    levelButtons(slide, view);
    await ancillary(slide);
    await view.idle();
    update();
    setState('ready');
  } catch (e) {
    showError(e);
  }
}

function levelButtons(slide, view) {
  const box = $('levels');
  box.replaceChildren();
  for (const l of slide.levels) {
    const b = document.createElement('button');
    b.textContent = `${l.magnification || `level ${l.index}`} (${l.columns} × ${l.rows})`;
    b.dataset.level = l.index;
    // One screen pixel per pixel of that level, at the current centre.
    b.onclick = () => view.setView({ zoom: l.columns / slide.levels[0].columns });
    box.append(b);
  }
}

async function ancillary(slide) {
  const box = $('ancillary');
  box.replaceChildren();
  const images = [slide.label, slide.overview, slide.thumbnail].filter(Boolean);
  $('ancillary-title').hidden = !images.length;
  for (const image of images) {
    const patch = await slide.getAncillary(image);
    const figure = document.createElement('figure');
    const c = document.createElement('canvas');
    [c.width, c.height] = [patch.columns, patch.rows];
    c.getContext('2d').putImageData(toImageData(patch, { window: EIGHT_BIT }), 0, 0);
    c.dataset.kind = image.kind;
    const caption = document.createElement('figcaption');
    caption.textContent = `${image.kind.toLowerCase()} ${image.columns} × ${image.rows}`;
    figure.append(c, caption);
    box.append(figure);
  }
}

function update() {
  if (!current) return;
  const { slide, view } = current;
  const level = view.level;
  const s = view.state;
  const t = $('level');
  t.replaceChildren();
  row(t, 'Slide', current.label);
  row(t, 'Level', `${level.index + 1} of ${slide.levels.length} — ${level.columns} × ${level.rows}`);
  row(t, 'Magnification', level.magnification || 'no pixel spacing');
  row(t, 'Zoom', `${(s.zoom * slide.levels[0].columns / level.columns).toFixed(2)} × of this level`);
  row(t, 'Centre', `${Math.round(s.x)}, ${Math.round(s.y)} (level-0 pixels)`);
  for (const b of $('levels').children) b.classList.toggle('active', Number(b.dataset.level) === level.index);
  const st = slide.stats;
  const c = $('counters');
  c.replaceChildren();
  row(c, 'Requests', st.requests);
  row(c, 'Bytes', st.bytes.toLocaleString());
  row(c, 'Frame cache hits', st.cacheHits);
  row(c, 'Frames fetched', st.cacheMisses);
  row(c, 'Tiles drawn (loaded)', view.tilesLoaded);
  row(c, 'Tiles loading', view.pendingTiles);
  const v = view.lastView;
  if (v) row(c, 'Last view', `${Math.round(v.ms)} ms to full, ${v.requests} requests, ${v.bytes.toLocaleString()} bytes, ${v.tiles} tiles`);
  row(c, 'Reads cancelled', view.cancelledReads);
  row(c, 'Opens from the persistent cache', st.persistentHits);
  if (view.tooManyTiles) row(c, 'Note', 'zoom in: this slide has no level coarse enough to show this view');
  const p = $('progress');
  p.max = view.tilesLoaded + view.pendingTiles || 1;
  p.value = view.tilesLoaded;
  p.hidden = view.pendingTiles === 0;
  document.body.dataset.pending = view.pendingTiles;
}

$('url-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const url = $('url').value.trim();
  if (url) history.pushState(null, '', `?src=${encodeURIComponent(url)}`), show(sourceOf(url), url);
});
for (const id of ['files', 'folder']) {
  $(id).addEventListener('change', () => {
    const files = [...$(id).files];
    if (files.length) show(files.length === 1 ? files[0] : files, files.length === 1 ? files[0].name : `${files.length} files`);
  });
}

const initial = new URLSearchParams(location.search).get('src');
const idcUid = new URLSearchParams(location.search).get('idc');
if (idcUid) {
  // An IDC slide by SeriesInstanceUID: its instances from sm_instance_index, read from either mirror.
  setState('loading');
  idcFromQuery().slide(idcUid).then((files) => show(files, `IDC ${idcUid}`), showError);
} else if (initial) show(sourceOf(initial, { sample: SAMPLE_SLIDE }), initial === 'sample' ? 'bundled demo slide' : initial);
