// The baseline lazydcm-icc .wasm as base64 (scripts/lib/inline-assets.mjs writes web/dist/wasm/lazydcm-icc-inline.js
// after the WASM build): loaded only when a bundler did not emit the .wasm files (load.ts).
declare const wasmBase64: string;
export default wasmBase64;
