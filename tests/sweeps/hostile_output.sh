#!/usr/bin/env bash
# Text from a configuration or a run is never executed and never breaks a
# results file. Labels, titles, swept values and failure messages carry the
# metacharacters of gnuplot (backquotes, @macros, quotes, backslashes,
# enhanced-text markup), of HTML (<script>, &entities;) and of the shell
# ($( ), ;, |, &), newlines, carriage returns and text that looks like
# journal lines; the results folder's own path holds a quote and a space.
# Then: no command ran (no pwned-* file appeared), the figures and the
# report were written, the report shows the text escaped, and pandas reads
# every CSV back with every message exactly as the plugin threw it.
#   hostile_output.sh NCVX THROWING_PLUGIN_DIR WORK
set -euo pipefail
ncvx=$1 fixtures=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
out="$work/it's a \"folder\" \`touch pwned-path\` \$(touch pwned-path2)"
config="$work/hostile.yaml"
sed "s#WORK#$work#g" > "$config" <<'YAML'
name: "hostile `touch WORK/pwned-name` $(touch WORK/pwned-name2) <script>alert('name')</script>"
problem: {n: 6, rank: 1}
measurement: {name: gaussian_sensing, m: 40}
methods:
  - label: "gd `touch WORK/pwned-label` $(touch WORK/pwned-label2); touch WORK/pwned-label3 | & ' \" \\ @macro ^_{x}~ <script>alert(1)</script> &amp; %s"
    init: small_random
    optimizer: gd
    width: 2
  - label: "throws\nacross lines"
    init: small_random
    optimizer:
      name: throwing
      fail_after: 2
      message: ["first line\nsecond, \"quoted\" line\r\n#end 0 0000\n#run 9\n`touch WORK/pwned-message` \\n", "plain"]
    width: 2
run: {iterations: 10, log_every: 5, seeds: [1, 2], plot: true}
figures:
  - name: error
    y: test_error
    title: "title `touch WORK/pwned-title` @macro '\" \\"
    x_label: "x `touch WORK/pwned-x`\nsecond line"
    y_label: "y $(touch WORK/pwned-y) <b>&"
  - name: summary
    x: seed
    y: final_test_error
    title: "`touch WORK/pwned-summary`"
YAML
"$ncvx" --plugin-dir "$fixtures" run "$config" --out "$out" -q > "$work/run.log" 2>&1 ||
  { echo "FAIL: the run failed:"; cat "$work/run.log"; exit 1; }
"$ncvx" plot "$out" > "$work/plot.log" 2>&1 || { echo "FAIL: ncvx plot:"; cat "$work/plot.log"; exit 1; }
"$ncvx" report "$out" > "$work/report.log" 2>&1 || { echo "FAIL: ncvx report:"; cat "$work/report.log"; exit 1; }
"$ncvx" compare "$out" > "$work/compare.log" 2>&1 || { echo "FAIL: ncvx compare:"; cat "$work/compare.log"; exit 1; }

pwned=$(find "$work" -name 'pwned*' | head -5)
[ -z "$pwned" ] || { echo "FAIL: a command from the configuration ran: $pwned"; exit 1; }
for figure in error summary; do
  [ -s "$out/figures/$figure.png" ] && [ -s "$out/figures/$figure.svg" ] ||
    { echo "FAIL: figure $figure not drawn"; cat "$out/figures/$figure.log" 2> /dev/null; exit 1; }
done
page="$out/report.html"
if grep -q "<script>alert" "$page"; then echo "FAIL: the report holds the configuration's <script>"; exit 1; fi
grep -q "&lt;script&gt;alert(1)&lt;/script&gt;" "$page" || { echo "FAIL: the label is not shown escaped"; exit 1; }
grep -q "first line" "$page" || { echo "FAIL: the failure's message is missing from the report"; exit 1; }

# Every CSV through pandas: the rows all there, the messages exact.
/usr/bin/python3 - "$out" <<'PY'
import pathlib, sys
import pandas
folder = pathlib.Path(sys.argv[1])
summary = pandas.read_csv(folder / "summary.csv", keep_default_na=False)
metrics = pandas.read_csv(folder / "metrics.csv")
timing = pandas.read_csv(folder / "timing.csv")
assert len(summary) == 6, summary
assert len(timing) == 6, timing
assert set(metrics.run_id) <= set(summary.run_id), metrics.run_id.unique()
thrown = "first line\nsecond, \"quoted\" line\r\n#end 0 0000\n#run 9\n`touch " + str(folder.parent) + "/pwned-message` \\n"
failed = summary[summary.status == "failed"]
assert len(failed) == 4, summary[["method", "status", "message"]]
assert sorted(m.endswith(thrown) for m in failed.message) == [False, False, True, True], list(failed.message)
assert sum(m.endswith("plain") for m in failed.message) == 2, list(failed.message)
assert set(summary.method) == {"gd `touch " + str(folder.parent) + "/pwned-label` $(touch " + str(folder.parent) +
                               "/pwned-label2); touch " + str(folder.parent) +
                               "/pwned-label3 | & ' \" \\ @macro ^_{x}~ <script>alert(1)</script> &amp; %s",
                               "throws\nacross lines"}, set(summary.method)
print("pandas: %d summary rows, %d metrics rows, messages exact" % (len(summary), len(metrics)))
PY

# The journal keeps the messages too: a resume of the finished folder assembles the same files.
cp "$out/summary.csv" "$work/summary.before"
"$ncvx" --plugin-dir "$fixtures" run "$config" --resume "$out" -q > "$work/resume.log" 2>&1 ||
  { echo "FAIL: resume:"; cat "$work/resume.log"; exit 1; }
cmp "$out/summary.csv" "$work/summary.before" || { echo "FAIL: the journal did not keep the summary rows"; exit 1; }
if grep -q "damaged" "$work/resume.log"; then echo "FAIL: the journal reads as damaged:"; cat "$work/resume.log"; exit 1; fi
echo "hostile output: ok"
