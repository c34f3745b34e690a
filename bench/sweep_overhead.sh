#!/usr/bin/env bash
# The runner's overhead on a sweep of many small runs (n = 20, m = 200, 200
# iterations): total wall time over the sum of the runs' own times (one thread,
# so the two are comparable), and peak memory, at 10^3 and 10^4 runs; then
# the cost of isolation (one worker process per instance group) at 10^3 runs.
# Prints a table; bench/run writes it to bench/results/sweeps.txt.
#   bash bench/sweep_overhead.sh [NCVX] [WORK]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ncvx=${1:-build/ncvx}
work=${2:-$(mktemp -d)}
mkdir -p "$work"
cat > "$work/sweep.yaml" <<'YAML'
name: overhead
problem: {n: 20, rank: 2}
measurement: {name: gaussian_sensing, m: 200}
methods:
  - {label: gd, init: {name: small_random, scale: 1e-3}, optimizer: {name: gd, step: 0.1}, width: 20}
run: {iterations: 200, log_every: 50, repetitions: 1000}
YAML
sum_of_runs() { awk -F, 'NR > 1 { s += $2 } END { printf "%.3f", s }' "$1/timing.csv"; }
printf '%-10s %8s %8s %14s %16s %8s %14s\n' mode runs threads total_seconds sum_of_runs_s ratio peak_rss_MiB
for runs in 1000 10000; do
  out="$work/plain-$runs"
  rm -rf "$out"
  /usr/bin/time -f '%e %M' -o "$work/time" "$ncvx" run "$work/sweep.yaml" run.repetitions=$runs --threads 1 \
    --out "$out" -q > /dev/null
  read -r seconds kilobytes < "$work/time"
  sum=$(sum_of_runs "$out")
  printf '%-10s %8s %8s %14s %16s %8.3f %14.1f\n' threads "$runs" 1 "$seconds" "$sum" \
    "$(echo "$seconds / $sum" | bc -l)" "$(echo "$kilobytes / 1024" | bc -l)"
done
out="$work/isolated-1000"
rm -rf "$out"
/usr/bin/time -f '%e %M' -o "$work/time" "$ncvx" run "$work/sweep.yaml" --isolate --threads 1 --out "$out" -q > /dev/null
read -r seconds kilobytes < "$work/time"
sum=$(sum_of_runs "$out")
printf '%-10s %8s %8s %14s %16s %8.3f %14.1f\n' isolated 1000 1 "$seconds" "$sum" \
  "$(echo "$seconds / $sum" | bc -l)" "$(echo "$kilobytes / 1024" | bc -l)"
echo "isolation: $(echo "($seconds - $sum) / 1000 * 1000" | bc -l | xargs printf '%.1f') ms per instance group (a process start, plugin load and configuration load)"
