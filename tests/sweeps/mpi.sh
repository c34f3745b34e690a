#!/usr/bin/env bash
# mpirun -np 2 (and 3) on this machine: rank 0 writes, the others run instance
# groups; the files are those of one process, byte for byte.
#   mpi.sh NCVX CONFIG WORK
set -euo pipefail
ncvx=$1 config=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # CI machines run as root
sweep=(run.iterations=300 'run.seeds=[1,2,3,4,5]')
"$ncvx" run "$config" "${sweep[@]}" --out "$work/single" -q > /dev/null
for ranks in 2 3; do
  mpirun -np "$ranks" --oversubscribe "$ncvx" run "$config" "${sweep[@]}" --out "$work/mpi-$ranks" -q --threads 1 \
    > "$work/mpi-$ranks.log" 2>&1 || { cat "$work/mpi-$ranks.log"; exit 1; }
  for file in config.resolved.yaml metrics.csv summary.csv; do
    cmp "$work/single/$file" "$work/mpi-$ranks/$file" || { echo "FAIL: $file differs with $ranks ranks"; exit 1; }
  done
  workers=$(cut -d, -f3 "$work/mpi-$ranks/timing.csv" | grep -c '^rank ' || true)
  [ "$workers" = 10 ] || { echo "FAIL: $workers of 10 runs ran on worker ranks"; exit 1; }
done
echo "mpi: ok"
