#!/usr/bin/env bash
# The device checks in one call, for a machine with an NVIDIA GPU and nvcc but
# none of the Debian packages (docs/gpu.md):
#
#   1. unpacks the carried .deb files (bench/device/fetch_packages.sh) into
#      /tmp/ncvx-root and points the compilers there;
#   2. builds ncvx, its plugins, the CUDA backend, the device tests and the
#      benchmark driver (Release, sm_90, 16 jobs);
#   3. runs the device tests against the CUDA backend (every layout,
#      factorization, update, loss and precision against the CPU path);
#   4. runs the side-by-side benchmark: ncvx's device trajectory, its floor
#      (one read of the operator at the measured copy rate) and the PyTorch
#      peers on the same card;
#   5. writes to OUT six files (the device tool brings back eight at most):
#      stages.txt, gpu.txt, log.txt (every stage's output), bench.csv,
#      quickstart_summary.csv and table.md; prints the table last.
#
#   bash bench/device/run.sh OUT     (carry .device; about 5 minutes on an H200)
set -uo pipefail
out="${1:?usage: bench/device/run.sh OUT}"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
mkdir -p "$out"
root=/tmp/ncvx-root
build=/tmp/ncvx-build
started=$(date +%s)
stage() { echo "== $1 ($(( $(date +%s) - started )) s)" | tee -a "$out/stages.txt"; }

stage "unpacking the packages"
mkdir -p "$root"
for deb in .device/debs/*.deb; do dpkg -x "$deb" "$root"; done
# The packages' CMake files name /usr; here they live under $root/usr.
grep -rlZ --include='*.cmake' '"/usr/' "$root/usr/lib" "$root/usr/share" 2>/dev/null |
  xargs -0 -r sed -i "s#\"/usr/#\"$root/usr/#g"
# Links to absolute paths (libz.so -> /lib/...) point into $root instead.
find "$root" -type l -lname '/*' | while read -r link; do
  target="$(readlink "$link")"
  [ -e "$root$target" ] && ln -sfn "$root$target" "$link"
done
arch_lib="$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu"
export CPATH="$root/usr/include:$root/usr/include/eigen3${CPATH:+:$CPATH}"
export LIBRARY_PATH="$arch_lib${LIBRARY_PATH:+:$LIBRARY_PATH}"
export LD_LIBRARY_PATH="$arch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.mem --format=csv > "$out/gpu.txt" 2>&1
nvcc --version >> "$out/gpu.txt" 2>&1
log="$out/log.txt"
: > "$log"
logs=/tmp/ncvx-logs
mkdir -p "$logs"

stage "configuring and building"
generator=()
command -v ninja > /dev/null && generator=(-G Ninja)
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DNCVX_BUILD_TESTS=ON -DNCVX_BUILD_BENCH=ON \
  -DNCVX_PYTHON=OFF -DCMAKE_PREFIX_PATH="$root/usr" > "$logs/configure.log" 2>&1 ||
  { tail -40 "$logs/configure.log" | tee -a "$log"; exit 1; }
grep "ncvx:" "$logs/configure.log" >> "$log"
cmake --build "$build" -j 16 --target ncvx ncvx_plugins ncvx_backends ncvx_device_tests ncvx_bench \
  > "$logs/build.log" 2>&1 || { tail -60 "$logs/build.log" | tee -a "$log"; exit 1; }
cuda="$build/backends/libncvx_backend_cuda.so"
[ -f "$cuda" ] || { echo "the CUDA backend was not built" | tee -a "$log"; exit 1; }

stage "device tests (the CUDA backend against the CPU path)"
tests() {  # NAME COMMAND...: the command's output into the log, its exit status into the stages
  local name="$1"
  shift
  echo "== $name" >> "$log"
  timeout 180 "$@" >> "$log" 2>&1
  echo "$name: exit $?" | tee -a "$out/stages.txt"
}
export NCVX_DEVICE_BACKEND="$cuda"
tests "device tests" "$build/tests/ncvx_device_tests"
NCVX_CUDA_TWO_PASS=1 tests "device tests, two passes" "$build/tests/ncvx_device_tests"
if command -v compute-sanitizer > /dev/null; then
  tests "memcheck (completion, rank-one)" compute-sanitizer --tool memcheck --error-exitcode 3 \
    "$build/tests/ncvx_device_tests" -tc='*completion*,*rank-one*'
fi

stage "the GPU quickstart end to end (CPU, device double, device single)"
tests "quickstart" "$build/ncvx" run configs/gpu/quickstart.yaml --out "$logs/quickstart" --quiet
cp "$logs/quickstart/summary.csv" "$out/quickstart_summary.csv" 2>/dev/null

stage "benchmark"
bench="$build/bench/ncvx_bench"
csv="$out/bench.csv"
: > "$csv"
run() { timeout 120 "$@" >> "$csv" 2>> "$log" || echo "failed: $*" | tee -a "$log"; }
run "$bench" device_sensing 200 10000 200 20
run "$bench" device_sensing 200 10000 200 20 single
NCVX_CUDA_TWO_PASS=1 run "$bench" device_sensing 200 10000 200 20
run "$bench" device_sensing 1024 51200 1024 2 regenerated   # one iteration of the n = 1 024 sweep
run python3 bench/peers/torch_gpu.py sensing 200 10000 200 20
run python3 bench/peers/torch_gpu.py sensing 200 10000 200 20 --dtype float32
run python3 bench/peers/torch_gpu.py batched 200 10000 200 10 64
run "$bench" device_completion 100000 100000000 10 10
run python3 bench/peers/torch_gpu.py completion 100000 100000000 10 10

stage "table"
python3 bench/device/table.py "$csv" | tee "$out/table.md"
stage "done"
