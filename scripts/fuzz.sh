#!/usr/bin/env bash
# Fuzzes the configuration loader and the override parser with libFuzzer for
# SECONDS (default 600): builds ncvx with clang, every target instrumented
# (coverage, ASan, UBSan), in build-fuzz/ (or $NCVX_FUZZ_DIR), seeds the
# corpus with configs/ and tests/hostile/, and runs fuzz/config_fuzzer.cpp.
# A finding is written to build-fuzz/findings/ and fails the script; add it
# to tests/hostile/ once fixed. Needs clang-14 and libfuzzer-14-dev.
#
#   bash scripts/fuzz.sh            # ten minutes
#   bash scripts/fuzz.sh 60         # one minute
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-600}"
build_dir="${NCVX_FUZZ_DIR:-build-fuzz}"
jobs="${NCVX_JOBS:-2}"
for package in clang-14 libfuzzer-14-dev libclang-rt-14-dev; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
      clang-14 libfuzzer-14-dev libclang-rt-14-dev
    break
  fi
done
CXX=clang++-14 CC=clang-14 cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNCVX_FUZZ=ON \
  -DNCVX_BUILD_TESTS=OFF > /dev/null
cmake --build "$build_dir" --target ncvx_config_fuzzer -j "$jobs"
corpus="$build_dir/corpus"
mkdir -p "$corpus" "$build_dir/findings"
cp configs/*.yaml configs/*/*.yaml tests/hostile/*.yaml "$corpus/"
# Overrides join their configuration after a line %%.
while IFS=$'\t' read -r assignment _; do
  case "$assignment" in ''|'#'*) continue ;; esac
  printf '%s\n%%%%\n%s\n' "$(cat configs/quickstart.yaml)" "$assignment" > "$corpus/override-$(echo "$assignment" | md5sum | cut -c1-12)"
done < tests/hostile/overrides.txt
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
"$build_dir/fuzz/ncvx_config_fuzzer" "$corpus" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
  -max_len=65536 -artifact_prefix="$build_dir/findings/" -print_final_stats=1 2>&1 | tee "$build_dir/fuzz.log" | tail -25
echo "ncvx fuzz: no finding in $seconds seconds ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build_dir/fuzz.log" | grep -o '[0-9]*$') executions)"
