// decode-worker.js and everything it imports as one module's source text (written by
// scripts/lib/inline-assets.mjs after tsc): started from a Blob when a bundler did not emit the worker.
declare const source: string;
export default source;
