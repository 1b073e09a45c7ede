#!/usr/bin/env bash
# Fetch pinned third-party C sources from Debian source packages into third_party/ (git-ignored),
# verify their sha256 sums and unpack them. Idempotent: does nothing when everything is unpacked.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/third_party"
mkdir -p "$dest/archives"

# name  debian-source-package  file  sha256  unpacked-dir
packages=(
  "zlib zlib=1:1.2.13.dfsg-1 zlib_1.2.13.dfsg.orig.tar.bz2 71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1 zlib-1.2.13.dfsg"
)

need_fetch=()
for entry in "${packages[@]}"; do
  read -r name pkg file sha dir <<<"$entry"
  [ -d "$dest/$name" ] && continue
  [ -f "$dest/archives/$file" ] || need_fetch+=("$pkg")
done

if [ ${#need_fetch[@]} -gt 0 ]; then
  tmp=$(mktemp -d)
  cp /etc/apt/sources.list.d/debian.sources "$tmp/src.sources"
  sed -i 's/^Types: deb$/Types: deb-src/' "$tmp/src.sources"
  opts=(-o Dir::Etc::SourceList="$tmp/src.sources" -o Dir::Etc::SourceParts=/dev/null
        -o Dir::State::Lists="$tmp/lists")
  mkdir -p "$tmp/lists/partial"
  apt-get "${opts[@]}" update -qq
  (cd "$tmp" && apt-get "${opts[@]}" source --download-only "${need_fetch[@]}" >/dev/null 2>&1)
  for entry in "${packages[@]}"; do
    read -r name pkg file sha dir <<<"$entry"
    [ -f "$tmp/$file" ] && mv "$tmp/$file" "$dest/archives/"
  done
  rm -rf "$tmp"
fi

for entry in "${packages[@]}"; do
  read -r name pkg file sha dir <<<"$entry"
  [ -d "$dest/$name" ] && continue
  echo "$sha  $dest/archives/$file" | sha256sum -c --quiet - || { echo "checksum mismatch for $file" >&2; exit 1; }
  tar -xf "$dest/archives/$file" -C "$dest"
  mv "$dest/$dir" "$dest/$name"
done
