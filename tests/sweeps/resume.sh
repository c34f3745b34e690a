#!/usr/bin/env bash
# kill -9 at several moments of a sweep, then --resume: every finished run is
# kept (the journal holds it), every file is valid at every moment, and the
# resumed folder ends with the same files, byte for byte, as an uninterrupted
# run (all but timing.csv and meta.json, which describe the execution).
#   resume.sh NCVX CONFIG WORK
set -euo pipefail
ncvx=$1 config=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
same_files() {
  for file in config.resolved.yaml metrics.csv summary.csv; do
    cmp -s "$1/$file" "$2/$file" || { echo "FAIL: $1/$file differs from $2/$file"; exit 1; }
  done
}
"$ncvx" run "$config" --out "$work/whole" --threads 1 -q > /dev/null
kept_some=0
for delay in 0.15 0.6 1.1 1.7; do
  folder="$work/killed-$delay"
  "$ncvx" run "$config" --out "$folder" --threads 1 -q > /dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  # Every file present is valid: the journal's records are complete (a cut tail is
  # reported, never read), and the assembled files are absent or whole.
  finished=$(grep -c '^#end ' "$folder/runs.journal" 2> /dev/null || true)
  [ -f "$folder/config.resolved.yaml" ] || { echo "FAIL: no config.resolved.yaml after kill at $delay s"; exit 1; }
  grep -q partial <<< "$(ls "$folder")" && { echo "FAIL: a temporary file left as if complete"; ls "$folder"; exit 1; }
  output=$("$ncvx" run "$config" --resume "$folder" --threads 1 2>&1)
  grep -q "results: $folder" <<< "$output" || { echo "FAIL: resume after $delay s:"; echo "$output"; exit 1; }
  if [ "${finished:-0}" -gt 0 ]; then
    grep -q "resumed: $finished runs were already finished" <<< "$output" ||
      { echo "FAIL: $finished finished runs were not kept after kill at $delay s:"; echo "$output"; exit 1; }
    kept_some=1
  fi
  same_files "$folder" "$work/whole"
  echo "killed at $delay s with $finished runs finished: resumed to identical files"
done
[ "$kept_some" = 1 ] || { echo "FAIL: no kill happened after a run had finished"; exit 1; }
# A folder of another configuration is refused with a sentence.
if "$ncvx" run "$config" run.iterations=7 --resume "$work/whole" > "$work/refused.log" 2>&1; then
  echo "FAIL: resumed a folder of another configuration"; exit 1
fi
grep -q "its resolved configuration differs" "$work/refused.log" || { cat "$work/refused.log"; exit 1; }
echo "resume: ok"
