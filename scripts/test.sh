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
echo "== tier 2: Node tests of the WASM module and the CLI"
node --test --test-reporter=spec tests/node/ || status=1
echo "== tier 3: browser tests (Playwright + Chromium)"
node --test --test-reporter=spec tests/browser/ || status=1
[ $status -eq 0 ] && echo "all tiers passed" || echo "some tier failed"
exit $status
