// The Emscripten loader (built by wasm/CMakeLists.txt into web/dist/wasm/): a factory that
// instantiates the module. Typed in load.ts (CoreModule).
declare const createLazydcmCore: (module?: object) => Promise<unknown>;
export default createLazydcmCore;
