#!/usr/bin/env bash
# One writer per results folder: two sweeps started in the same second get
# their own folders; while a sweep writes in a folder, a second `run --out`,
# `run --resume` or `merge --out` into it is refused with a sentence naming
# the holder; a sweep killed with -9 leaves no lock behind.
#   one_writer.sh NCVX CONFIG WORK
set -euo pipefail
ncvx=$1 config=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"

# 1. The default folder: two sweeps at once (same name, same second) never share one.
for i in 1 2 3; do "$ncvx" run "$config" run.iterations=20 -q > "started-$i.log" 2>&1 & done
wait
folders=$(grep -h '^results: ' started-*.log | sort -u | wc -l)
[ "$folders" = 3 ] || { echo "FAIL: three sweeps wrote into $folders folders"; cat started-*.log; exit 1; }
for log in started-*.log; do
  folder=$(sed -n 's/^results: //p' "$log")
  rows=$(($(wc -l < "$folder/summary.csv") - 1))
  [ "$rows" = 6 ] || { echo "FAIL: $folder holds $rows runs, not its 6"; exit 1; }
done

# 2. A folder in use is refused, whoever asks; the holder is named.
"$ncvx" run "$config" run.iterations=200000 --out busy --threads 1 -q > busy.log 2>&1 &
holder=$!
for _ in $(seq 200); do [ -s busy/.ncvx.lock ] && break; sleep 0.05; done
[ -s busy/.ncvx.lock ] || { echo "FAIL: the sweep took no lock"; kill -9 $holder; exit 1; }
refused() {
  if "$@" > refused.log 2>&1; then echo "FAIL: not refused: $*"; kill -9 $holder; exit 1; fi
  grep -q "busy is in use by another ncvx (process $holder on " refused.log ||
    { echo "FAIL: the refusal of '$*' does not name the holder:"; cat refused.log; kill -9 $holder; exit 1; }
}
refused "$ncvx" run "$config" run.iterations=200000 --resume busy -q
refused "$ncvx" run "$config" run.iterations=200000 --out busy -q
refused "$ncvx" merge "$(sed -n 's/^results: //p' started-1.log)" --out busy
kill -9 $holder
wait $holder 2> /dev/null || true

# 3. Killed, it holds nothing: the lock went with the process.
flock -n busy/.ncvx.lock true || { echo "FAIL: the killed sweep's lock is still held"; exit 1; }
echo "one writer: ok"
