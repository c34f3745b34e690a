#!/usr/bin/env bash
# Ctrl-C during a sweep: the first SIGINT stops it between runs (on threads
# and with --isolate), the exit status is 130, the folder is marked
# interrupted and the command that continues it is printed; that command
# then finishes the sweep with the same files as an uninterrupted run.
#   interrupt.sh NCVX CONFIG WORK
set -euo pipefail
ncvx=$1 config=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$ncvx" run "$config" run.iterations=4000 --out whole --threads 1 -q > /dev/null
records() { local n; n=$(grep -c '^#end ' "$1/runs.journal" 2> /dev/null) || true; echo "${n:-0}"; }
for mode in threads isolate; do
  extra=()
  [ "$mode" = isolate ] && extra=(--isolate)
  "$ncvx" run "$config" run.iterations=4000 --out "stopped-$mode" --threads 1 "${extra[@]}" > "$mode.out" 2> "$mode.err" &
  pid=$!
  while kill -0 $pid 2> /dev/null && [ "$(records "stopped-$mode")" -lt 1 ]; do sleep 0.02; done
  kill -INT $pid
  status=0
  wait $pid || status=$?
  [ "$status" = 130 ] || { echo "FAIL ($mode): exit status $status after Ctrl-C, not 130"; cat "$mode.err"; exit 1; }
  grep -q "^interrupted: [0-9] of 6 runs have a record in stopped-$mode" "$mode.err" ||
    { echo "FAIL ($mode): no interruption notice"; cat "$mode.err"; exit 1; }
  grep -q '"state": "interrupted"' "stopped-$mode/meta.json" || { echo "FAIL ($mode): meta.json not marked"; exit 1; }
  [ ! -f "stopped-$mode/summary.csv" ] || { echo "FAIL ($mode): a summary.csv of an unfinished sweep"; exit 1; }
  resume=$(sed -n 's/^Continue with: //p' "$mode.err")
  [ -n "$resume" ] || { echo "FAIL ($mode): no resume command"; cat "$mode.err"; exit 1; }
  eval "${resume/#ncvx/\"\$ncvx\"}" -q > "$mode.resumed" 2>&1 || { echo "FAIL ($mode): $resume"; cat "$mode.resumed"; exit 1; }
  for file in metrics.csv summary.csv; do
    cmp -s "stopped-$mode/$file" "whole/$file" || { echo "FAIL ($mode): resumed $file differs"; exit 1; }
  done
  echo "$mode: stopped with $(records "stopped-$mode") records kept, resumed to identical files"
done
echo "interrupt: ok"
