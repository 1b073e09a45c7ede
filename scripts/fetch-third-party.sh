#!/usr/bin/env bash
# Fetch pinned third-party C sources from Debian source packages into third_party/ (git-ignored),
# verify their sha256 sums and unpack them. Idempotent: does nothing when everything is unpacked.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/third_party"
mkdir -p "$dest/archives"

# name  debian-source-package=version  file  sha256  unpacked-dir  [subfolder to keep]
# Versions newer than bookworm come from trixie/sid source lists (the mirror serves their .orig
# tarballs while the .dsc/.debian.tar.xz may answer 404: apt-get then fails although the tarball is
# there, so its status is ignored and the checksum decides). CharLS 2.4.2: sid (bookworm's 2.4.1
# tarball is not served); OpenJPEG 2.5.4, Little CMS 2.19.1 and libjpeg-turbo 3.1.3: sid; libjxl
# 0.11.2 (JPEG XL) with Highway 1.3.0 and Brotli 1.2.0: sid.
packages=(
  "zlib zlib=1:1.2.13.dfsg-1 zlib_1.2.13.dfsg.orig.tar.bz2 71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1 zlib-1.2.13.dfsg"
  "libjpeg-turbo libjpeg-turbo=1:3.1.3-4 libjpeg-turbo_3.1.3.orig.tar.gz 3a13a5ba767dc8264bc40b185e41368a80d5d5f945944d1dbaa4b2fb0099f4e5 libjpeg-turbo-3.1.3"
  "openjpeg openjpeg2=2.5.4-1.1 openjpeg2_2.5.4.orig.tar.xz 6f6cf917e9587bc2df83aee5b51aa22dd56111640b3bad290b93443b6a4682b7 openjpeg-2.5.4"
  "lcms2 lcms2=2.19.1-1 lcms2_2.19.1.orig.tar.gz bfc54f7bab59fbc921012014a8032e4cba4abd46db47d46b76416a8c0b2815c8 lcms2-2.19.1"
  "charls charls=2.4.2-2 charls_2.4.2.orig.tar.gz d1c2c35664976f1e43fec7764d72755e6a50a80f38eca70fcc7553cad4fe19d9 charls-2.4.2"
  "libjxl jpeg-xl=0.11.2-5.1 jpeg-xl_0.11.2.orig.tar.gz ab38928f7f6248e2a98cc184956021acb927b16a0dee71b4d260dc040a4320ea libjxl-0.11.2"
  "highway highway=1.3.0-5.1 highway_1.3.0.orig.tar.gz 07b3c1ba2c1096878a85a31a5b9b3757427af963b1141ca904db2f9f4afe0bc2 highway-1.3.0"
  "brotli brotli=1.2.0-4.1 brotli_1.2.0.orig.tar.gz eb5f7dadf215d0670665fd81566e1fe2dfdc154d983f09142de7299df4c182e6 google-brotli-028fb5a"
)

# Patches (scripts/patches/<name>-*.patch, -p1 from the unpacked folder) fix upstream bugs our
# fuzzing found, fix upstream undefined behaviour our sanitizer tier flags, or set build options
# upstream has no switch for; the stamp names archive and patches, so a new patch re-unpacks.
stamp_of() {
  local name=$1 file=$2
  echo "$file $(cat "$here"/scripts/patches/"$name"-*.patch 2>/dev/null | sha256sum | cut -c1-16)"
}

need_fetch=()
for entry in "${packages[@]}"; do
  read -r name pkg file sha dir keep <<<"$entry"
  [ "$(cat "$dest/$name/.lazydcm-source" 2>/dev/null)" = "$(stamp_of "$name" "$file")" ] && continue
  [ -f "$dest/archives/$file" ] || need_fetch+=("$pkg")
done

if [ ${#need_fetch[@]} -gt 0 ]; then
  tmp=$(mktemp -d)
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  printf 'Types: deb-src\nURIs: %s\nSuites: bookworm trixie sid\nComponents: main\nSigned-By: %s\n' \
    "${uri:-http://deb.debian.org/debian}" /usr/share/keyrings/debian-archive-keyring.gpg >"$tmp/src.sources"
  opts=(-o Dir::Etc::SourceList="$tmp/src.sources" -o Dir::Etc::SourceParts=/dev/null
        -o Dir::State::Lists="$tmp/lists")
  mkdir -p "$tmp/lists/partial"
  apt-get "${opts[@]}" update -qq
  (cd "$tmp" && apt-get "${opts[@]}" source --download-only "${need_fetch[@]}" >/dev/null 2>&1 || true)
  for entry in "${packages[@]}"; do
    read -r name pkg file sha dir keep <<<"$entry"
    if [ -f "$tmp/$file" ]; then mv "$tmp/$file" "$dest/archives/"; fi
  done
  rm -rf "$tmp"
fi

for entry in "${packages[@]}"; do
  read -r name pkg file sha dir keep <<<"$entry"
  [ "$(cat "$dest/$name/.lazydcm-source" 2>/dev/null)" = "$(stamp_of "$name" "$file")" ] && continue
  rm -rf "${dest:?}/$name"  # another version, or an unpack that was cut short
  # tar -m: the files get the time of unpacking, so builds see a new version as newer than their objects
  echo "$sha  $dest/archives/$file" | sha256sum -c --quiet - || { echo "checksum mismatch for $file" >&2; exit 1; }
  if [ -n "${keep:-}" ]; then
    tar -xmf "$dest/archives/$file" -C "$dest" "$dir/$keep"
    mv "$dest/$dir/$keep" "$dest/$name"
    rm -rf "${dest:?}/$dir"
  else
    tar -xmf "$dest/archives/$file" -C "$dest"
    mv "$dest/$dir" "$dest/$name"
  fi
  for p in "$here"/scripts/patches/"$name"-*.patch; do
    [ -f "$p" ] && patch -s -p1 -d "$dest/$name" <"$p"
  done
  stamp_of "$name" "$file" >"$dest/$name/.lazydcm-source"
done

# ---- OpenJPH 0.31.0 (HTJ2K): not packaged by Debian ----
# From a mirror folder holding the pinned archive ($LAZYDCM_THIRD_PARTY_MIRROR, or shared/third-party
# one or two levels above the project, or /work/shared/third-party), verified by its sha256; else
# from upstream git at the pinned commit (git verifies the tree by the commit's hash).
ojph_file=openjph-0.31.0-6f3caf3.tar.gz
ojph_sha=6c96fd09c34071e73efc1c321d3d565b9c92f2a2f69f67e2455372b4409ace88
ojph_commit=6f3caf3f30dc81dbfca029d06f25dddf2bba06b4
if [ "$(cat "$dest/openjph/.lazydcm-source" 2>/dev/null)" != "$(stamp_of openjph "$ojph_file")" ]; then
  rm -rf "${dest:?}/openjph"
  if [ ! -f "$dest/archives/$ojph_file" ]; then
    for mirror in "${LAZYDCM_THIRD_PARTY_MIRROR:-}" "$here/../shared/third-party" "$here/../../shared/third-party" /work/shared/third-party; do
      if [ -n "$mirror" ] && [ -f "$mirror/$ojph_file" ]; then cp "$mirror/$ojph_file" "$dest/archives/"; break; fi
    done
  fi
  if [ -f "$dest/archives/$ojph_file" ]; then
    echo "$ojph_sha  $dest/archives/$ojph_file" | sha256sum -c --quiet - || { echo "checksum mismatch for $ojph_file" >&2; exit 1; }
    tar -xmf "$dest/archives/$ojph_file" -C "$dest"
    mv "$dest/openjph-0.31.0" "$dest/openjph"
  else
    git clone -q --filter=blob:none --no-checkout https://github.com/aous72/OpenJPH.git "$dest/openjph" ||
      { echo "OpenJPH: $ojph_file is in no mirror folder and github.com is not reachable" >&2; exit 1; }
    git -C "$dest/openjph" checkout -q "$ojph_commit"
    [ "$(git -C "$dest/openjph" rev-parse HEAD)" = "$ojph_commit" ] || { echo "OpenJPH: not at $ojph_commit" >&2; exit 1; }
  fi
  for p in "$here"/scripts/patches/openjph-*.patch; do
    [ -f "$p" ] && patch -s -p1 -d "$dest/openjph" <"$p"
  done
  stamp_of openjph "$ojph_file" >"$dest/openjph/.lazydcm-source"
fi
