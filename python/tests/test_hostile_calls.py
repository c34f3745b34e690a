"""The Python module raises, never crashes: hostile_calls.py runs every
hostile call in a child interpreter (a crash there cannot take pytest with
it) and each must end in a Python exception, except the few that are fine."""

import os
import pathlib
import subprocess
import sys

FINE = {"loss empty", "run wrong start shape"}  # a sum over nothing; a run that fails, reported in its summary


def test_hostile_calls_raise_and_never_crash():
    script = pathlib.Path(__file__).with_name("hostile_calls.py")
    child = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=240,
                           env=dict(os.environ))
    assert child.returncode == 0, f"the interpreter ended with {child.returncode}:\n{child.stdout}\n{child.stderr}"
    lines = child.stdout.splitlines()
    assert lines and lines[-1] == "done", child.stdout + child.stderr
    outcomes = dict(line.split(": ", 1) for line in lines[:-1])
    assert len(outcomes) >= 50
    for label, outcome in outcomes.items():
        if label in FINE:
            assert outcome == "returned", (label, outcome)
        else:
            assert outcome.startswith("raised "), (label, outcome)
            assert "Segmentation" not in outcome
    # Shape mistakes name the shape expected.
    assert "must be 6 x 6" in outcomes["forward 5x6"]
    assert outcomes["adjoint m-1"].startswith("raised ValueError: v (one entry per measurement) must have 40 entries")
    assert outcomes["forward_factored 0 columns"].startswith("raised ValueError")
    assert outcomes["step iteration -1"].startswith("raised ValueError: iteration counts from 0")
    assert outcomes["kept objective value"].startswith("raised RuntimeError: this objective was lent for one call")
    assert outcomes["kept operator forward"].startswith("raised RuntimeError: this operator was lent for one call")


LONG = """
problem: {n: 30, rank: 2}
measurement: {name: gaussian_sensing, m: 600}
methods: [{label: gd, init: {name: small_random, scale: 1.0e-3}, optimizer: {name: gd, step: 0.1}, width: 30}]
run: {iterations: 3000, log_every: 100, seeds: [1, 2, 3, 4, 5, 6]}
"""


def test_ctrl_c_stops_between_runs_and_leaves_a_resumable_folder(tmp_path):
    import signal
    import time

    import ncvx
    out = tmp_path / "stopped"
    script = ("import ncvx, sys\n"
              f"ncvx.run({LONG!r}, out={str(out)!r}, threads=1)\n")
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    journal = out / "runs.journal"
    deadline = time.time() + 120
    while time.time() < deadline and child.poll() is None:
        if journal.exists() and any(line.startswith("#end ") for line in journal.read_text().splitlines()):
            break
        time.sleep(0.02)
    child.send_signal(signal.SIGINT)
    _, errors = child.communicate(timeout=120)
    assert child.returncode != 0
    assert "KeyboardInterrupt: ncvx.run was interrupted:" in errors, errors
    assert f"continue with ncvx.run(..., out='{out}', resume=True)" in errors, errors
    assert '"state": "interrupted"' in (out / "meta.json").read_text()
    resumed = ncvx.run(LONG, out=out, threads=1, resume=True)
    whole = ncvx.run(LONG, out=tmp_path / "whole", threads=1)
    assert len(resumed.summary) == 6
    assert (out / "metrics.csv").read_bytes() == (tmp_path / "whole" / "metrics.csv").read_bytes()


def test_metric_columns_are_names_and_fixed():
    import ncvx
    import numpy as np

    @ncvx.register
    class CommaColumn:
        """A column name with a comma and a newline."""
        kind = "metric"
        name = "py_comma_column"
        columns = ["a,b\nc"]

        def evaluate(self, context):
            return [0.0]

    created = []

    @ncvx.register
    class GrowingColumns:
        """Names one more column each time it is created."""
        kind = "metric"
        name = "py_growing_columns"

        def __init__(self):
            created.append(1)
            self.columns = [f"c{i}" for i in range(len(created))]

        def evaluate(self, context):
            return [0.0] * len(self.columns)

    config = """
problem: {n: 6, rank: 1}
measurement: {name: gaussian_sensing, m: 40}
methods: [{label: gd, init: small_random, optimizer: gd, width: 2}]
run: {iterations: 3, seeds: [1]}
"""
    try:
        ncvx.run(config, overrides={"metrics": ["py_comma_column"]})
        raise AssertionError("a column name with a comma was accepted")
    except ncvx.ConfigError as error:
        assert "names a column 'a,b c'; a column name is letters, digits" in str(error), str(error)
    results = ncvx.run(config, overrides={"metrics": ["py_growing_columns"]})
    assert results.summary["status"].eq("failed").all()
    assert results.summary["message"].str.contains("names other columns in this run").all()
    assert np.isfinite(results.summary["iterations"]).all()


def test_random_calls_never_crash():
    # A few seconds of fuzz_calls.py (scripts/fuzz.sh runs it for its whole time).
    script = pathlib.Path(__file__).with_name("fuzz_calls.py")
    child = subprocess.run([sys.executable, "-X", "faulthandler", str(script), "5", "7"], capture_output=True,
                           text=True, timeout=120)
    assert child.returncode == 0, f"ended with {child.returncode}:\n{child.stdout}\n{child.stderr[-3000:]}"
    assert " calls: " in child.stdout and "returned" in child.stdout, child.stdout
