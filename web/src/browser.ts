/**
 * lazydcm for browsers and bundlers (the `browser` and `default` export conditions): the whole API
 * with no Node code reachable (paths are URLs on the page's server; pools use module Workers).
 */
import { setInlineAssets } from './platform/inline.js';

setInlineAssets({
  // Literal specifiers, one per module: bundlers keep each in its own chunk, fetched only if used.
  wasmBase64: async (module) => (module === 'core' ? await import('./wasm/lazydcm-core-inline.js')
    : module === 'j2k' ? await import('./wasm/lazydcm-j2k-inline.js')
    : module === 'jpegls' ? await import('./wasm/lazydcm-jpegls-inline.js')
    : module === 'jxl' ? await import('./wasm/lazydcm-jxl-inline.js')
    : await import('./wasm/lazydcm-icc-inline.js')).default,
  workerSource: async () => (await import('./workers/decode-worker-inline.js')).default,
});

export * from './lib.js';
