#!/usr/bin/env bash
# Installs the Debian 12 packages ncvx needs (only those missing), then
# configures and builds ncvx in Release into ./build (or $NCVX_BUILD_DIR).
#
#   bash scripts/setup.sh            # what a run needs: the ncvx tool and its plugins
#   bash scripts/setup.sh --tests    # and what the test suite needs: doctest, gnuplot,
#                                    # Chromium, Open MPI, the Python module and its
#                                    # packages; builds everything (tests, benchmarks)
#   NCVX_JOBS=4 bash scripts/setup.sh
#
# The first takes about 2.5 minutes on two cores after the packages (README).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir="${NCVX_BUILD_DIR:-build}"
jobs="${NCVX_JOBS:-2}"
tests=0
for argument in "$@"; do
  case $argument in
    --tests) tests=1 ;;
    *) echo "usage: bash scripts/setup.sh [--tests]" >&2; exit 2 ;;
  esac
done

packages=(
  g++ cmake make git pkg-config
  libeigen3-dev libboost-dev libfmt-dev libyaml-cpp-dev
  libcli11-dev nlohmann-json3-dev libspectra-dev libstb-dev librandom123-dev
  zlib1g-dev                       # the ratings problem reads scipy .npz files
)
if [ "$tests" = 1 ]; then
  packages+=(
    doctest-dev
    gnuplot-nox                    # figures (ncvx plot); without it `ncvx plot` says how to get it
    chromium                       # the report's test renders it headless
    libopenmpi-dev openmpi-bin     # optional at configure time: mpirun -np P ncvx run ...
    pybind11-dev python3-dev       # optional at configure time: the Python module (python/)
    python3-numpy python3-pandas python3-pytest python3-matplotlib   # its tests and example
  )
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "ncvx setup: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "ncvx setup: all Debian packages present"
fi

if [ "$tests" = 1 ]; then
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DNCVX_BUILD_TESTS=ON -DNCVX_BUILD_BENCH=ON
  cmake --build "$build_dir" -j "$jobs"
  echo "ncvx setup: built $build_dir/ncvx, its plugins, the tests, the benchmarks and the Python module"
else
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release
  cmake --build "$build_dir" -j "$jobs" --target ncvx ncvx_plugins ncvx_backends
  echo "ncvx setup: built $build_dir/ncvx and its plugins in $build_dir/plugins (and the CUDA backend where nvcc is found)"
fi
