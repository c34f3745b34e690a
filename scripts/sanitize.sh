#!/usr/bin/env bash
# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer: builds
# everything (core, CLI, every plugin, the tests) with -DNCVX_SANITIZE=ON in
# build-sanitize/ (or $NCVX_SANITIZE_DIR) and runs ctest there. Any report
# fails the run. The SDK test is left out: it builds a downstream project
# against the installed (instrumented) core without the sanitizer flags.
#
#   bash scripts/sanitize.sh              # after scripts/setup.sh --tests
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir="${NCVX_SANITIZE_DIR:-build-sanitize}"
jobs="${NCVX_JOBS:-2}"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNCVX_SANITIZE=ON -DNCVX_BUILD_TESTS=ON > /dev/null
cmake --build "$build_dir" -j "$jobs"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/scripts/sanitize.supp"
ctest --test-dir "$build_dir" -j "$jobs" -E '^sdk\.example$' --output-on-failure
echo "ncvx sanitize: the test suite is clean under ASan and UBSan"
