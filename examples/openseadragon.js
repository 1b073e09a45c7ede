// OpenSeadragon with a lazydcm slide as its tile source (web/src/render/openseadragon.ts).
import { openSlide, slideTileSource } from '/web/dist/browser.js';
import { $, persistentCache, row, SAMPLE_SLIDE, setState, showError, sourceOf } from './common.js';

async function show(src) {
  setState('loading');
  try {
    const slide = await openSlide(src, { persistentCache });
    let failed = 0;
    const source = slideTileSource(slide, { onError: () => failed++ });
    const viewer = OpenSeadragon({
      id: 'osd', prefixUrl: '/node_modules/openseadragon/build/openseadragon/images/', showNavigator: true,
      tileSources: source, crossOriginPolicy: 'Anonymous',
      // OpenSeadragon asks for one tile per animation frame by default; asking for a view's tiles in
      // one go lets slideTileSource read them as one request plan (adjacent tiles, one Range read).
      maxTilesPerFrame: 64,
    });
    const update = () => {
      const st = slide.stats;
      const c = $('counters');
      c.replaceChildren();
      for (const [k, v] of [['Requests', st.requests], ['Bytes', st.bytes.toLocaleString()], ['Frame cache hits', st.cacheHits], ['Tile batches', source.stats.batches], ['Tile errors', failed]]) row(c, k, v);
    };
    // OpenSeadragon aborts only loads that time out: reads in flight go when the viewer closes.
    viewer.addHandler('close', () => source.cancel());
    viewer.addHandler('tile-loaded', update);
    viewer.addHandler('update-viewport', update);
    window.demo = { slide, viewer, source };
    viewer.world.addHandler('add-item', (e) => e.item.addOnceHandler('fully-loaded-change', () => {
      update();
      setState('ready');
    }));
  } catch (e) {
    showError(e);
  }
}

$('url-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const url = $('url').value.trim();
  if (url) location.search = `?src=${encodeURIComponent(url)}`;
});
const initial = new URLSearchParams(location.search).get('src');
if (initial) show(sourceOf(initial, { sample: SAMPLE_SLIDE }));
