#!/usr/bin/env bash
# Downloads the Debian packages ncvx builds against into .device/debs (ignored
# by git), for bench/device/run.sh on a device machine, which reaches no
# registry. Run here, once, where the package registry is reachable; then
# carry `.device` with the device call. About 15 MB of .deb files.
#
#   bash bench/device/fetch_packages.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude
mkdir -p .device/debs
packages=(
  libeigen3-dev libboost1.74-dev libfmt-dev libfmt9 libyaml-cpp-dev libyaml-cpp0.7
  libcli11-dev nlohmann-json3-dev libspectra-dev librandom123-dev libstb-dev libstb0 zlib1g-dev zlib1g doctest-dev
)
(cd .device/debs && apt-get download "${packages[@]}")
du -sh .device/debs
