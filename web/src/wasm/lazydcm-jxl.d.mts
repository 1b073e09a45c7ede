// The Emscripten loader (built by wasm/CMakeLists.txt into web/dist/wasm/): a factory that
// instantiates the module. Typed in load.ts.
declare const factory: (module?: object) => Promise<unknown>;
export default factory;
