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
  differing=()
  for file in metrics.csv summary.csv; do
    cmp -s "$work/old-$name/$file" "$work/new-$name/$file" || differing+=("$file")
  done
  cmp -s <(grep -v '^#' "$work/old-$name/config.resolved.yaml") \
         <(grep -v '^#' "$work/new-$name/config.resolved.yaml") || differing+=("config.resolved.yaml")
  verdict="same"
  if ((${#differing[@]})); then verdict="DIFFERS (${differing[*]})"; differ=1; fi
  echo "$config: $verdict"
done
exit $differ
