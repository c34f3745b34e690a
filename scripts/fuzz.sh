#!/usr/bin/env bash
# Fuzzes ncvx for SECONDS per target (default 600):
#
#   config   the configuration loader and the override parser (fuzz/config_fuzzer.cpp),
#            corpus seeded with configs/ and tests/hostile/
#   reader   the data readers of matrix_file and ratings (fuzz/reader_fuzzer.cpp),
#            corpus seeded with configs/problems/data/ and tests/hostile/readers/
#   python   the Python module's entry points with random arguments
#            (python/tests/fuzz_calls.py, on the Release build in build/)
#
# The libFuzzer targets are built with clang, every target instrumented
# (coverage, ASan, UBSan), in build-fuzz/ (or $NCVX_FUZZ_DIR). A finding is
# written to build-fuzz/findings/ and fails the script; once fixed it joins
# tests/hostile/ (a configuration) or tests/hostile/readers/ (a data file),
# which the test suite replays. Needs clang-14 and libfuzzer-14-dev (installed
# when missing).
#
#   bash scripts/fuzz.sh                    # ten minutes per target, every target
#   bash scripts/fuzz.sh 1800 reader        # half an hour, the readers only
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(config reader python)
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
wants() { local target; for target in "${targets[@]}"; do [ "$target" = "$1" ] && return 0; done; return 1; }
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
mkdir -p "$build_dir/findings"

# Runs a libFuzzer target on a corpus folder for $seconds.
fuzz() {
  local target=$1 corpus=$2
  "$build_dir/fuzz/ncvx_${target}_fuzzer" "$corpus" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
    -max_len=65536 -artifact_prefix="$build_dir/findings/$target-" -print_final_stats=1 2>&1 |
    tee "$build_dir/fuzz-$target.log" | tail -5
  echo "ncvx fuzz ($target): no finding in $seconds seconds ($(grep -o 'stat::number_of_executed_units: *[0-9]*' \
    "$build_dir/fuzz-$target.log" | grep -o '[0-9]*$') executions)"
}

if wants config || wants reader; then
  CXX=clang++-14 CC=clang-14 cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNCVX_FUZZ=ON \
    -DNCVX_BUILD_TESTS=OFF > /dev/null
  cmake --build "$build_dir" --target ncvx_config_fuzzer ncvx_reader_fuzzer -j "$jobs"
fi

if wants config; then
  corpus="$build_dir/corpus"
  mkdir -p "$corpus"
  cp configs/*.yaml configs/*/*.yaml tests/hostile/*.yaml "$corpus/"
  # Overrides join their configuration after a line %%.
  while IFS=$'\t' read -r assignment _; do
    case "$assignment" in ''|'#'*) continue ;; esac
    printf '%s\n%%%%\n%s\n' "$(cat configs/quickstart.yaml)" "$assignment" > "$corpus/override-$(echo "$assignment" | md5sum | cut -c1-12)"
  done < tests/hostile/overrides.txt
  fuzz config "$corpus"
fi

if wants reader; then
  # An input is a byte choosing the reader (fuzz/reader_fuzzer.cpp), then the file.
  corpus="$build_dir/corpus-reader"
  mkdir -p "$corpus"
  seed() { { printf "\\$(printf '%03o' "$1")"; cat "$2"; } > "$corpus/$(basename "$2")-$1"; }
  for file in tests/hostile/readers/* configs/problems/data/* plugins/ratings/samples/*; do
    case "$file" in
      */ratings-*.mtx | */sample.mtx) seed 6 "$file" ;;
      *.npz) seed 7 "$file" ;;
      *.npy) seed 0 "$file" ;;
      *.mtx) seed 1 "$file" ;;
      *.libmf) seed 8 "$file" ;;
      */ratings* | */sample.*) seed 3 "$file"; seed 4 "$file"; seed 5 "$file" ;;
      *) seed 2 "$file" ;;
    esac
  done
  fuzz reader "$corpus"
fi

if wants python; then
  PYTHONPATH=build/python /usr/bin/python3 -X faulthandler python/tests/fuzz_calls.py "$seconds" "$RANDOM" ||
    { echo "ncvx fuzz (python): the interpreter crashed (a finding; the traceback is above)"; exit 1; }
fi
