// Emscripten 3.1.6's ES6 output refers to __dirname when it runs in Node, which ES modules do not
// define. The TypeScript loader hands Node the .wasm bytes itself, so an empty value is enough.
var __dirname = typeof __dirname !== 'undefined' ? __dirname : '';
