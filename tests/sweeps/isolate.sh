#!/usr/bin/env bash
# --isolate: a plugin that segfaults, aborts or hangs fails its own run, with
# the signal or "timeout", and every other run finishes.
#   isolate.sh NCVX FIXTURE_PLUGIN_DIR WORK
set -euo pipefail
ncvx=$1 plugins=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cat > "$work/crash.yaml" <<'YAML'
problem: {n: 8, rank: 1}
measurement: {name: gaussian_sensing, m: 50}
methods:
  - {label: crash, init: small_random, optimizer: {name: crashing, how: [segfault, abort, hang]}, width: 2}
  - {label: fine, init: small_random, optimizer: gd, width: 2}
run: {iterations: 20, seeds: [1, 2], max_seconds: 1}
YAML
"$ncvx" --plugin-dir "$plugins" run "$work/crash.yaml" --isolate --out "$work/out" --threads 2 > "$work/log" 2>&1 ||
  { cat "$work/log"; exit 1; }
summary="$work/out/summary.csv"
check() { grep -q "$1" "$summary" || { echo "FAIL: summary.csv lacks: $1"; cat "$summary"; exit 1; }; }
check "crash,small_random,crashing,squared,symmetric,2,segfault,1,.*,failed,the worker process killed by signal Segmentation fault (11)"
check "crash,small_random,crashing,squared,symmetric,2,abort,1,.*,failed,the worker process killed by signal Aborted (6)"
check "crash,small_random,crashing,squared,symmetric,2,hang,1,.*,failed,timeout"
[ "$(grep -c ',fine,.*,budget,' "$summary")" = 2 ] || { echo "FAIL: the fine runs did not all finish"; cat "$summary"; exit 1; }
# Without run.max_seconds, a run that hangs is killed by the limit derived
# from its budget: ten times what its iterations so far project plus a grace
# (ten minutes; two seconds here).
cat > "$work/hang.yaml" <<'YAML'
problem: {n: 8, rank: 1}
measurement: {name: gaussian_sensing, m: 50}
methods:
  - {label: hang, init: small_random, optimizer: {name: crashing, how: hang, after: 3}, width: 2}
  - {label: fine, init: small_random, optimizer: gd, width: 2}
run: {iterations: 20, seeds: [1]}
YAML
NCVX_HANG_GRACE=2 timeout 120 "$ncvx" --plugin-dir "$plugins" run "$work/hang.yaml" --isolate --out "$work/hang" \
  --threads 2 > "$work/hang.log" 2>&1 || { echo "FAIL: the sweep with a hang did not end"; cat "$work/hang.log"; exit 1; }
grep -q "hang,.*,failed,.timeout: the run took more than ten times what its iterations so far project" \
  "$work/hang/summary.csv" || { echo "FAIL: the hang was not stopped by the default limit"; cat "$work/hang/summary.csv"; exit 1; }
grep -q ",fine,.*,budget," "$work/hang/summary.csv" || { echo "FAIL: the fine run did not finish"; exit 1; }
# A plugin that crashes while the configuration is loaded (its constructor):
# with --isolate the loading runs in a child first; the command says so and
# writes nothing.
cat > "$work/crash_on_create.yaml" <<'YAML'
problem: {n: 8, rank: 1}
measurement: {name: gaussian_sensing, m: 50}
methods: [{label: crash, init: small_random, optimizer: {name: crashing, on_create: true}, width: 2}]
YAML
status=0
"$ncvx" --plugin-dir "$plugins" run "$work/crash_on_create.yaml" --isolate --out "$work/never" > "$work/create.log" 2>&1 ||
  status=$?
[ "$status" = 1 ] || { echo "FAIL: loading a crashing plugin under --isolate exited with $status"; cat "$work/create.log"; exit 1; }
grep -q "error: loading the configuration crashed a plugin: the separate process (isolation) was killed by signal" \
  "$work/create.log" || { echo "FAIL: the crash is not reported"; cat "$work/create.log"; exit 1; }
[ ! -e "$work/never" ] || { echo "FAIL: a results folder was written"; exit 1; }
# ncvx check --isolate: the crashing checks fail that plugin, the others are checked.
status=0
"$ncvx" --plugin-dir "$plugins" check crashing gd --isolate > "$work/check.log" 2>&1 || status=$?
[ "$status" = 1 ] || { echo "FAIL: check --isolate exited with $status"; cat "$work/check.log"; exit 1; }
grep -q "optimizer \`crashing\`.*DOES NOT CONFORM" "$work/check.log" && grep -q "optimizer \`gd\`.*conforms" "$work/check.log" &&
  grep -q "1 of 2 plugins conform" "$work/check.log" || { echo "FAIL: check --isolate"; cat "$work/check.log"; exit 1; }
echo "isolate: ok"
