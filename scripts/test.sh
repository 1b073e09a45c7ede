#!/usr/bin/env bash
# Sets everything up, builds, and runs every test tier: Catch2 (ctest), Node (built WASM + CLI,
# against a real nginx), and Playwright in Debian's Chromium. Fails when any tier fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh

status=0
echo "== tier 1: C++ unit tests (Catch2 via ctest)"
(cd build/native && ctest --output-on-failure -j"$(nproc)") || status=1
echo "== tier 1b: the same C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer"
# -O1 -g1: sanitizer builds of catch.hpp-heavy tests compile 2-3x faster than at -O2 -g. NDEBUG as
# in release builds: OpenJPEG's HT decoder asserts on malformed input where release code reports it.
[ -f build/asan/CMakeCache.txt ] || cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS='-O1 -g1 -DNDEBUG' \
  -DCMAKE_CXX_FLAGS='-O1 -g1 -DNDEBUG' -DLAZYDCM_SANITIZE=ON >/dev/null
cmake --build build/asan -j"$(nproc)" --target lazydcm_tests lazydcm_fuzz_replays >/dev/null
(cd build/asan && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
   ctest --output-on-failure -j"$(nproc)") || status=1
echo "== tier 1c: libFuzzer targets, a short fixed run of each from its seeds (scripts/fuzz.sh --ci)"
scripts/fuzz.sh --ci || status=1
echo "== tier 2: Node tests of the WASM module and the CLI"
node --test --test-reporter=spec tests/node/ || status=1
echo "== tier 2b: the decoder suite on the baseline (non-SIMD) WASM build"
LAZYDCM_WASM_FLAVOUR=baseline node --test --test-reporter=dot tests/node/decode.test.mjs || status=1
echo "== tier 2c: conformance with real writers' files (local, nginx by Range, Chromium)"
node --test --test-reporter=spec tests/conformance/ || status=1
echo "== tier 2d: the packed package in fresh Vite / webpack / esbuild / plain-page / Node / TypeScript apps (Chromium)"
node --test --test-reporter=spec tests/consumers/ || status=1
echo "== tier 3: browser tests (Playwright + Chromium)"
node --test --test-reporter=spec tests/browser/ || status=1
[ $status -eq 0 ] && echo "all tiers passed" || echo "some tier failed"
exit $status
