// The baseline lazydcm-jxl .wasm as base64 (scripts/lib/inline-assets.mjs writes web/dist/wasm/lazydcm-jxl-inline.js
// after the WASM build): loaded only when a bundler did not emit the .wasm files (load.ts).
declare const wasmBase64: string;
export default wasmBase64;
