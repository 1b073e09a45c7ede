/**
 * lazydcm for browsers and bundlers (the `browser` and `default` export conditions): the whole API
 * with no Node code reachable (paths are URLs on the page's server; pools use module Workers).
 */
export * from './lib.js';
