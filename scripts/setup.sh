#!/usr/bin/env bash
# Installs everything lazydcm needs on a fresh Debian 12 machine: apt packages, npm packages, and
# the pinned third-party C sources. Idempotent; fast when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake emscripten catch2 nlohmann-json3-dev libsimde-dev   # C++ native + WASM builds
  clang-14 libclang-rt-14-dev                                   # libFuzzer targets (tests/fuzz)
  chromium                                                      # browser tests (Playwright)
  nginx-light                                                   # real HTTP Range server for tests
  orthanc orthanc-dicomweb                                      # real DICOMweb server for tests
  python3 python3-pydicom python3-numpy python3-gdcm python3-pil   # fixtures and reference decoders
  libgdcm-tools dcmtk openjph-tools libjxl-tools                # transcoding and cross-checks
  pixelmed-apps default-jre-headless libvips-tools dicom3tools   # real writers for the conformance tier
  ca-certificates xz-utils bzip2
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

scripts/fetch-third-party.sh

# npm packages (typescript, playwright-core, the peers for benchmarks), from the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
