#!/usr/bin/env bash
# Fetch pinned third-party C sources from Debian source packages into third_party/ (git-ignored),
# verify their sha256 sums and unpack them. Idempotent: does nothing when everything is unpacked.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/third_party"
mkdir -p "$dest/archives"

# name  debian-source-package=version  file  sha256  unpacked-dir  [subfolder to keep]
# CharLS: Debian's charls 2.4.1 source is not downloadable from the archive mirror here (404), so
# JPEG-LS uses the CharLS 2.0 that GDCM's source package bundles (Utilities/gdcmcharls).
packages=(
  "zlib zlib=1:1.2.13.dfsg-1 zlib_1.2.13.dfsg.orig.tar.bz2 71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1 zlib-1.2.13.dfsg"
  "libjpeg-turbo libjpeg-turbo=1:2.1.5-2 libjpeg-turbo_2.1.5.orig.tar.gz 254f3642b04e309fee775123133c6464181addc150499561020312ec61c1bf7c libjpeg-turbo-2.1.5"
  "openjpeg openjpeg2=2.5.0-2+deb12u3 openjpeg2_2.5.0.orig.tar.xz 007e19d772c8b6b22e35379630b06ff3549e49ba719d96453607a36ad7b4de73 openjpeg-2.5.0"
  "lcms2 lcms2=2.14-2+deb12u1 lcms2_2.14.orig.tar.gz 28474ea6f6591c4d4cee972123587001a4e6e353412a41b3e9e82219818d5740 lcms2-2.14"
  "charls gdcm=3.0.21-1 gdcm_3.0.21.orig.tar.gz 7c456162a2de722cc90e3bdc46900302b1c367540a7131268d7bfd2a819cb5ed GDCM-3.0.21 Utilities/gdcmcharls"
)

need_fetch=()
for entry in "${packages[@]}"; do
  read -r name pkg file sha dir keep <<<"$entry"
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
    read -r name pkg file sha dir keep <<<"$entry"
    if [ -f "$tmp/$file" ]; then mv "$tmp/$file" "$dest/archives/"; fi
  done
  rm -rf "$tmp"
fi

for entry in "${packages[@]}"; do
  read -r name pkg file sha dir keep <<<"$entry"
  [ -d "$dest/$name" ] && continue
  echo "$sha  $dest/archives/$file" | sha256sum -c --quiet - || { echo "checksum mismatch for $file" >&2; exit 1; }
  if [ -n "${keep:-}" ]; then
    tar -xf "$dest/archives/$file" -C "$dest" "$dir/$keep"
    mv "$dest/$dir/$keep" "$dest/$name"
    rm -rf "${dest:?}/$dir"
  else
    tar -xf "$dest/archives/$file" -C "$dest"
    mv "$dest/$dir" "$dest/$name"
  fi
done
