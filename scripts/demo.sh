#!/usr/bin/env bash
# Sets everything up, builds, generates the sample data and serves the demo on localhost.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec node scripts/demo.mjs
