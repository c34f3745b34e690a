#!/usr/bin/env bash
# --shard I/4 in four processes, then ncvx merge: the same files, byte for byte,
# as one process. A merge of an incomplete set says which runs are missing.
#   shards.sh NCVX CONFIG WORK
set -euo pipefail
ncvx=$1 config=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
sweep=(run.iterations=300 'run.seeds=[1,2,3,4,5,6,7,8]')  # eight instance groups over four shards
"$ncvx" run "$config" "${sweep[@]}" --out "$work/whole" -q > /dev/null
for shard in 1 2 3 4; do
  "$ncvx" run "$config" "${sweep[@]}" --shard "$shard/4" --out "$work/shard-$shard" -q --threads 1 > /dev/null &
done
wait
for shard in 1 2 3 4; do
  [ "$(grep -c '^#end ' "$work/shard-$shard/runs.journal")" -gt 0 ] || { echo "FAIL: shard $shard got no work"; exit 1; }
done
"$ncvx" merge "$work"/shard-{1,2,3,4} --out "$work/merged" > /dev/null
for file in config.resolved.yaml metrics.csv summary.csv; do
  cmp "$work/whole/$file" "$work/merged/$file" || { echo "FAIL: merged $file differs"; exit 1; }
done
table=$("$ncvx" compare "$work/whole" "$work/merged")
[ "$(grep -c '^whole \|^merged ' <<< "$table")" = 4 ] || { echo "FAIL: ncvx compare:"; echo "$table"; exit 1; }
if "$ncvx" merge "$work"/shard-{1,2,3} --out "$work/partial" > "$work/partial.log" 2>&1; then
  echo "FAIL: merged three shards of four"; exit 1
fi
grep -q "runs have no record" "$work/partial.log" || { cat "$work/partial.log"; exit 1; }
echo "shards: ok"
