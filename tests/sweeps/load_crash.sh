#!/usr/bin/env bash
# A plugin library whose load-time code crashes, aborts or exits: every
# command that scans its folder survives, names the file and the reason, and
# goes on with the other plugins; a sweep runs; the verdict of a file that
# probed well is cached (and a cache of another build of it is not trusted).
#   load_crash.sh NCVX LOAD_CRASH_PLUGIN_DIR CONFIG WORK
set -euo pipefail
ncvx=$1 plugins=$2 config=$3 work=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work"
for how in segfault abort exit; do
  export XDG_CACHE_HOME="$work/cache-$how"
  status=0
  NCVX_LOAD_CRASH=$how "$ncvx" --plugin-dir "$plugins" plugins > "plugins-$how.log" 2>&1 || status=$?
  [ "$status" = 1 ] || { echo "FAIL ($how): ncvx plugins exited with $status"; cat "plugins-$how.log"; exit 1; }
  grep -q "^gd .*optimizer\|optimizer  *gd " "plugins-$how.log" || { echo "FAIL ($how): the other plugins are gone"; exit 1; }
  grep -q "ncvx_load_crash.so: loading it .* test process .* load-time code" "plugins-$how.log" ||
    { echo "FAIL ($how): the crash is not named"; cat "plugins-$how.log"; exit 1; }
  NCVX_LOAD_CRASH=$how "$ncvx" --plugin-dir "$plugins" run "$config" run.iterations=20 --out "run-$how" -q \
    > "run-$how.log" 2>&1 || { echo "FAIL ($how): the sweep did not run"; cat "run-$how.log"; exit 1; }
  grep -q "warning: cannot load plugin file .*ncvx_load_crash.so" "run-$how.log" ||
    { echo "FAIL ($how): no warning"; cat "run-$how.log"; exit 1; }
  ! grep -q "load_crash" "$XDG_CACHE_HOME/ncvx/probed" || { echo "FAIL ($how): a crashing file was cached"; exit 1; }
done
# A good probe is cached; a rebuilt file (another size or time) is probed again.
export XDG_CACHE_HOME="$work/cache-good"
"$ncvx" --plugin-dir "$plugins" plugins > good.log 2>&1 || { cat good.log; exit 1; }
grep -q "ncvx_load_crash.so" "$XDG_CACHE_HOME/ncvx/probed" || { echo "FAIL: a good probe was not cached"; exit 1; }
cp "$plugins/ncvx_load_crash.so" "$work/copy.so"
mkdir -p rebuilt && cp "$work/copy.so" rebuilt/ncvx_load_crash.so
status=0
NCVX_LOAD_CRASH=segfault "$ncvx" --plugin-dir rebuilt plugins > rebuilt.log 2>&1 || status=$?
[ "$status" = 1 ] && grep -q "signal Segmentation fault" rebuilt.log || { echo "FAIL: a new file trusted"; cat rebuilt.log; exit 1; }
echo "load crash: ok"
