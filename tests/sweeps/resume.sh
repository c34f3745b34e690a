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
# Kill moments: two fixed times (likely before any run finished) and two
# observed ones, right after the journal records its first and its fourth
# finished run, so the test does not depend on how fast this build runs (a
# sanitized build is ten times slower).
finished_runs() {
  local count
  count=$(grep -c '^#end ' "$1/runs.journal" 2> /dev/null) || true
  echo "${count:-0}"
}
kept_some=0
for moment in 0.15s 0.6s 1run 4runs; do
  folder="$work/killed-$moment"
  "$ncvx" run "$config" --out "$folder" --threads 1 -q > /dev/null 2>&1 &
  pid=$!
  case $moment in
    *run*)
      wanted=${moment%%run*}
      while kill -0 "$pid" 2> /dev/null && [ "$(finished_runs "$folder")" -lt "$wanted" ]; do sleep 0.02; done ;;
    *s) sleep "${moment%s}" ;;
  esac
  kill -9 "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  # Every file present is valid: the journal's records are complete (a cut tail is
  # reported, never read), and the assembled files are absent or whole.
  finished=$(finished_runs "$folder")
  if [ ! -f "$folder/config.resolved.yaml" ]; then
    # Killed at a fixed moment before the sweep wrote anything (a sanitized build on a loaded
    # machine loads its plugins slowly): nothing may be half-written, and there is nothing to resume.
    case $moment in *run*) echo "FAIL: no config.resolved.yaml after kill at $moment"; exit 1 ;; esac
    [ ! -e "$folder/runs.journal" ] || { echo "FAIL: a journal without its configuration after kill at $moment"; exit 1; }
    echo "killed at $moment before the sweep wrote its configuration: nothing to resume"
    continue
  fi
  grep -q partial <<< "$(ls "$folder")" && { echo "FAIL: a temporary file left as if complete"; ls "$folder"; exit 1; }
  output=$("$ncvx" run "$config" --resume "$folder" --threads 1 2>&1)
  grep -q "results: $folder" <<< "$output" || { echo "FAIL: resume after $moment:"; echo "$output"; exit 1; }
  if [ "${finished:-0}" -gt 0 ]; then
    grep -q "resumed: $finished runs were already finished" <<< "$output" ||
      { echo "FAIL: $finished finished runs were not kept after kill at $moment:"; echo "$output"; exit 1; }
    kept_some=1
  fi
  same_files "$folder" "$work/whole"
  echo "killed at $moment with $finished runs finished: resumed to identical files"
done
[ "$kept_some" = 1 ] || { echo "FAIL: no kill happened after a run had finished"; exit 1; }
# A folder of another configuration is refused with a sentence.
if "$ncvx" run "$config" run.iterations=7 --resume "$work/whole" > "$work/refused.log" 2>&1; then
  echo "FAIL: resumed a folder of another configuration"; exit 1
fi
grep -q "its resolved configuration differs" "$work/refused.log" || { cat "$work/refused.log"; exit 1; }
echo "resume: ok"
