#!/usr/bin/env bash
# ncvx report: one self-contained HTML page, opened in headless Chromium (Debian
# chromium), which must render its comparison table and decode every figure.
#   report.sh NCVX CONFIG WORK
set -euo pipefail
ncvx=$1 config=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
"$ncvx" run "$config" run.iterations=100 run.plot=true --out "$work/out" -q > /dev/null
"$ncvx" report "$work/out" > /dev/null
page="$work/out/report.html"
grep -q '<table id="comparison">' "$page" || { echo "FAIL: no table"; exit 1; }
if grep -Eq '(src|href)="(https?:)?//' "$page"; then echo "FAIL: the page loads something from the network"; exit 1; fi
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "FAIL: chromium is not installed (scripts/setup.sh installs it)"; exit 1; }
dom=$(timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/profile" --virtual-time-budget=5000 --dump-dom "file://$page" 2> "$work/chromium.log")
figures=$(ls "$work/out/figures/"*.png | wc -l)
# (here-strings, not pipes: grep -q stops reading early, and pipefail would see echo's SIGPIPE)
grep -q "data-images-loaded=\"$figures\"" <<< "$dom" ||
  { echo "FAIL: Chromium did not decode the $figures figures:"; grep -o '<body[^>]*>' <<< "$dom"; exit 1; }
grep -q 'data-table-rows="2"' <<< "$dom" || { echo "FAIL: the table's rows were not rendered"; exit 1; }
echo "report: ok ($figures figures rendered)"
