#!/usr/bin/env bash
# Runs every shipped configuration with two builds of ncvx and compares the
# results folders byte for byte (config.resolved.yaml without its comment
# lines, metrics.csv, summary.csv): a change that promises the same bits
# (a refactoring, a faster kernel) shows it with this.
#
#   bash scripts/same_results.sh OLD_NCVX NEW_NCVX WORK [CONFIG ...]
#
# Each build finds its own plugins (the folder plugins/ beside it). With no
# CONFIG, every file under configs/. Prints one line per configuration and
# exits 1 when any differs.
set -euo pipefail
old=$1 new=$2 work=$3
shift 3
cd "$(dirname "${BASH_SOURCE[0]}")/.."
configs=("$@")
[ ${#configs[@]} -gt 0 ] || mapfile -t configs < <(find configs -name '*.yaml' -not -path '*/data/*' | sort)
mkdir -p "$work"
differ=0
for config in "${configs[@]}"; do
  name=$(echo "$config" | tr '/' '_')
  rm -rf "$work/old-$name" "$work/new-$name"
  "$old" run "$config" --out "$work/old-$name" -q > "$work/old-$name.log" 2>&1 || true
  "$new" run "$config" --out "$work/new-$name" -q > "$work/new-$name.log" 2>&1 || true
  if [ ! -f "$work/old-$name/summary.csv" ]; then
    echo "$config: NO RESULTS (old: $(tail -1 "$work/old-$name.log"))"
    continue
  fi
  verdict="same"
  for file in metrics.csv summary.csv; do
    if ! cmp -s "$work/old-$name/$file" "$work/new-$name/$file"; then verdict="DIFFERS ($file)"; fi
  done
  if ! cmp -s <(grep -v '^#' "$work/old-$name/config.resolved.yaml") \
              <(grep -v '^#' "$work/new-$name/config.resolved.yaml"); then
    verdict="DIFFERS (config.resolved.yaml)"
  fi
  [ "$verdict" = same ] || differ=1
  echo "$config: $verdict"
done
exit $differ
