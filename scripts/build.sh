#!/usr/bin/env bash
# Builds the native core and tests, the WASM module, the TypeScript package and the test fixtures.
# Incremental: re-running after a change rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs   # Debian's emcc needs Debian's acorn (see TOOLCHAIN notes)
jobs=$(nproc)

[ -f build/native/CMakeCache.txt ] || cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/native -j"$jobs"

[ -f build/wasm/CMakeCache.txt ] || emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/wasm -j"$jobs"
# The same with WebAssembly SIMD (-msimd128), loaded instead where the engine supports it.
[ -f build/wasm-simd/CMakeCache.txt ] || emcmake cmake -S . -B build/wasm-simd -DCMAKE_BUILD_TYPE=Release -DLAZYDCM_SIMD=ON >/dev/null
cmake --build build/wasm-simd -j"$jobs"

node_modules/.bin/tsc -p web
# What the browser entry falls back to when a bundler leaves the .wasm and the worker behind (esbuild).
node scripts/lib/inline-assets.mjs
chmod +x web/dist/cli/main.js

/usr/bin/python3 tests/fixtures/generate.py build/fixtures
# A test copy of the idc-index tables and the buckets they name (hyparquet-writer); skipped when up to date.
node tests/fixtures/make-idc.mjs build/fixtures/idc
# Conformance fixtures from real writers (PixelMed, dcmtk, GDCM, pydicom); cached by the script's hash.
/usr/bin/python3 tests/conformance/make_fixtures.py build/conformance
