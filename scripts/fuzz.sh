#!/usr/bin/env bash
# libFuzzer campaigns over lazydcm's native core (tests/fuzz): clang-14, ASan everywhere, UBSan on
# lazydcm's own code. Builds build/fuzz, makes the seed corpora from the test fixtures, runs every
# target (or those named) and prints a table: executions, exec/s, coverage, crashes.
#
#   scripts/fuzz.sh [MINUTES] [TARGET...]   a campaign of MINUTES per target (default 10), nproc at a time
#                                           (LAZYDCM_FUZZ_RUNS=N: also stop a target after N executions;
#                                           LAZYDCM_FUZZ_JOBS=N: targets at a time, default nproc)
#   scripts/fuzz.sh --ci                    the short run of the test command: a fixed number of
#                                           executions per target from its seeds (fails on any crash)
#
# Every campaign's numbers are appended to build/fuzz/campaigns.tsv (date, target, execs, exec/s,
# cov, features, findings, minutes); `scripts/fuzz.sh --totals` sums them per target.
# The corpus each campaign grows is kept in build/fuzz/corpus/<target>; findings go to
# build/fuzz/findings/<target>/ (crash-*, leak-*, timeout-*, oom-*). Copy a finding to
# tests/fuzz/regressions/<target>/ when it is fixed: ctest replays it in every build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
ci=0 minutes=10
if [ "${1:-}" = "--totals" ]; then
  printf '%-22s %12s %8s %8s %9s %8s\n' target execs cov features findings runs
  awk -F'\t' '{e[$2]+=$3; if ($5>c[$2]) c[$2]=$5; if ($6>f[$2]) f[$2]=$6; x[$2]+=$7; n[$2]++}
    END {for (t in e) printf "%-22s %12d %8d %8d %9d %8d\n", t, e[t], c[t], f[t], x[t], n[t]}' build/fuzz/campaigns.tsv | sort
  exit 0
elif [ "${1:-}" = "--ci" ]; then ci=1; shift; elif [[ "${1:-}" =~ ^[0-9.]+$ ]]; then minutes=$1; shift; fi

if [ ! -f build/fuzz/CMakeCache.txt ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=None -DLAZYDCM_FUZZ=ON -DLAZYDCM_TESTS=OFF \
    -DCMAKE_C_FLAGS='-O1 -g -DNDEBUG' -DCMAKE_CXX_FLAGS='-O1 -g -DNDEBUG' >/dev/null
fi
cmake --build build/fuzz -j"$(nproc)" >/dev/null

# Seeds from the fixtures (made by ctest's fixture step, or here).
[ -f build/fixtures/index.json ] || /usr/bin/python3 tests/fixtures/generate.py build/fixtures >/dev/null
[ -f build/conformance/manifest.json ] || /usr/bin/python3 tests/conformance/make_fixtures.py build/conformance >/dev/null
if [ ! -d build/fuzz/seeds ] || [ tests/fuzz/make_corpus.py -nt build/fuzz/seeds ]; then
  rm -rf build/fuzz/seeds
  /usr/bin/python3 tests/fuzz/make_corpus.py build/fuzz/seeds build/fixtures build/conformance >/dev/null
fi

all=(reader image json icc codec_jpeg8 codec_jpeg12 codec_jpeg_lossless codec_jpegls codec_j2k codec_htj2k
     codec_rle codec_native codec_deflate_frame codec_jxl)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

dict_of() {
  case $1 in
    reader|image) echo "$root/tests/fuzz/dicom.dict" ;;
    json) echo "$root/tests/fuzz/json.dict" ;;
    codec_jpeg*) echo "$root/tests/fuzz/jpeg.dict" ;;
    codec_j2k|codec_htj2k) echo "$root/tests/fuzz/j2k.dict" ;;
    *) echo "" ;;
  esac
}

run_one() {  # target -> build/fuzz/logs/<target>.log
  local t=$1
  local bin="$root/build/fuzz/tests/fuzz/fuzz_$t" dict
  dict=$(dict_of "$t")
  local corpus="$root/build/fuzz/corpus/$t" findings="$root/build/fuzz/findings/$t"
  mkdir -p "$corpus" "$findings"
  # -timeout is wall-clock: a unit on a machine busy with builds and other campaigns (niced) took
  # 10-13 s and replayed in under 1.5 s, ending the campaign. 30 s here; the replay binaries in
  # ctest hold every kept input to 3 s on an idle machine.
  local args=(-max_len=65536 -rss_limit_mb=2560 -malloc_limit_mb=2048 -timeout=30 -print_final_stats=1
              -artifact_prefix="$findings/" ${dict:+-dict=$dict})
  if [ $ci -eq 1 ]; then
    # Fixed work: every seed and regression once, then a fixed number of mutations (seeded).
    "$bin" "${args[@]}" -seed=1 -runs="${LAZYDCM_FUZZ_RUNS:-3000}" "$root/build/fuzz/seeds/$t" \
      "$root/tests/fuzz/regressions/$t" >"$root/build/fuzz/logs/$t.log" 2>&1
  else
    "$bin" "${args[@]}" -max_total_time="$(awk "BEGIN{print int($minutes*60)}")" -runs="${LAZYDCM_FUZZ_RUNS:--1}" "$corpus" \
      "$root/build/fuzz/seeds/$t" "$root/tests/fuzz/regressions/$t" >"$root/build/fuzz/logs/$t.log" 2>&1
  fi
}
export -f run_one dict_of
export root ci minutes
mkdir -p build/fuzz/logs tests/fuzz/regressions
for t in "${targets[@]}"; do mkdir -p "tests/fuzz/regressions/$t"; done

status=0
printf '%s\n' "${targets[@]}" | xargs -P "${LAZYDCM_FUZZ_JOBS:-$(nproc)}" -I{} bash -c 'run_one {} || true'
printf '%-22s %12s %9s %8s %8s  %s\n' target execs exec/s cov features findings
for t in "${targets[@]}"; do
  log=build/fuzz/logs/$t.log
  execs=$(awk '/stat::number_of_executed_units/ {print $NF}' "$log" | tail -1)
  rate=$(awk '/stat::average_exec_per_sec/ {print $NF}' "$log" | tail -1)
  cov=$( (grep -oE 'cov: [0-9]+' "$log" || true) | tail -1 | awk '{print $2}')
  ft=$( (grep -oE 'ft: [0-9]+' "$log" || true) | tail -1 | awk '{print $2}')
  crash=$(grep -cE '^==[0-9]+==ERROR|runtime error:|ALARM: working on the last Unit|out-of-memory|SUMMARY: libFuzzer' "$log" || true)
  printf '%-22s %12s %9s %8s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$crash"
  [ $ci -eq 0 ] && printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "${execs:-0}" "${rate:-0}" "${cov:-0}" \
    "${ft:-0}" "$crash" "$minutes" >>build/fuzz/campaigns.tsv
  if [ "$crash" != 0 ] || [ -z "$execs" ]; then status=1; echo "  see $log"; grep -m3 -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | sed 's/^/    /'; fi
done
exit $status
