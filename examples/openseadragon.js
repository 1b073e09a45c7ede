// OpenSeadragon with a lazydcm slide as its tile source (web/src/render/openseadragon.ts).
import { openSlide, slideTileSource } from '/web/dist/index.js';

const SAMPLE = ['level0', 'level1', 'level2', 'level3', 'label', 'thumbnail']
  .map((n) => new URL(`/build/fixtures/demo/slide/${n}.dcm`, location.href).href);
const $ = (id) => document.getElementById(id);

async function show(src) {
  document.body.dataset.state = 'loading';
  try {
    const slide = await openSlide(src);
    let failed = 0;
    const viewer = OpenSeadragon({
      id: 'osd', prefixUrl: '/node_modules/openseadragon/build/openseadragon/images/', showNavigator: true,
      tileSources: slideTileSource(slide, { onError: () => failed++ }), crossOriginPolicy: 'Anonymous',
    });
    const update = () => {
      const st = slide.stats;
      const c = $('counters');
      c.replaceChildren();
      for (const [k, v] of [['Requests', st.requests], ['Bytes', st.bytes.toLocaleString()], ['Frame cache hits', st.cacheHits], ['Tile errors', failed]]) {
        const tr = c.insertRow();
        tr.insertCell().textContent = k;
        tr.insertCell().textContent = v;
      }
    };
    viewer.addHandler('tile-loaded', update);
    viewer.addHandler('update-viewport', update);
    window.demo = { slide, viewer };
    viewer.world.addHandler('add-item', (e) => e.item.addOnceHandler('fully-loaded-change', () => {
      update();
      document.body.dataset.state = 'ready';
    }));
  } catch (e) {
    console.error(e);
    $('error').textContent = `${e.codeName ?? e.name}: ${e.message}`;
    $('error').hidden = false;
    document.body.dataset.state = 'error';
  }
}

$('url-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const url = $('url').value.trim();
  if (url) location.search = `?src=${encodeURIComponent(url)}`;
});
const initial = new URLSearchParams(location.search).get('src');
if (initial) show(initial === 'sample' ? SAMPLE : initial.includes(' ') ? initial.split(/\s+/) : initial);
