#!/usr/bin/env bash
# Runs every configuration of configs/methods at its full size and copies its
# figures to docs/figures/methods/CONFIG__FIGURE.png, with the tables printed
# by ncvx, for docs/methods.md. About two minutes on 2 cores.
#
#   bash scripts/method_figures.sh [BUILD_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
ncvx="$build/ncvx"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
mkdir -p "$root/docs/figures/methods"
for config in "$root"/configs/methods/*.yaml; do
  name="$(basename "$config" .yaml)"
  echo "== $name"
  "$ncvx" run "$config" --out "$out/$name" run.plot=true --quiet
  for figure in "$out/$name"/figures/*.png; do
    cp "$figure" "$root/docs/figures/methods/${name}__$(basename "$figure")"
  done
done
