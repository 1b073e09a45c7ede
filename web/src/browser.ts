/**
 * lazydcm for browsers and bundlers (the `browser` and `default` export conditions): the whole API
 * with no Node code reachable (paths are URLs on the page's server; pools use module Workers).
 */
import { setInlineAssets } from './platform/inline.js';

setInlineAssets({
  wasmBase64: async () => (await import('./wasm/lazydcm-core-inline.js')).default,
  workerSource: async () => (await import('./workers/decode-worker-inline.js')).default,
});

export * from './lib.js';
