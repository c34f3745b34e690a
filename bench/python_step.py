"""One gradient-descent step driven from Python against the same step inside
`ncvx run`, side by side in one session, at (n, m) = (200, 10 000), k = 200
(Gaussian sensing, a 1.5 GiB operator).

  CLI     `ncvx run` of one run for T1 and T2 iterations (log_every beyond the
          budget): (wall(T2) - wall(T1)) / (T2 - T1) from timing.csv, which
          cancels building the instance.
  python  the same instance from ncvx.instance(...); per step either the
          built-in optimizer (ncvx.optimizer("gd").step) or a Python loop
          (objective.value_and_gradient and a numpy update).

    PYTHONPATH=build/python /usr/bin/python3 bench/python_step.py [--n 200 --m 10000 --steps 100]

Prints the milliseconds per step and the ratios python / CLI (the target:
within 1.05).
"""
import argparse
import csv
import os
import pathlib
import subprocess
import tempfile
import time

import numpy as np

import ncvx

parser = argparse.ArgumentParser()
parser.add_argument("--n", type=int, default=200)
parser.add_argument("--m", type=int, default=10000)
parser.add_argument("--steps", type=int, default=100)
parser.add_argument("--ncvx", default=str(pathlib.Path(__file__).resolve().parents[1] / "build" / "ncvx"))
arguments = parser.parse_args()
n, m, steps = arguments.n, arguments.m, arguments.steps

config = f"""
name: python_step
problem: {{n: {n}, rank: 5}}
measurement: {{name: gaussian_sensing, m: {m}}}
methods:
  - {{label: gd, init: {{name: small_random, scale: 1.0e-3}}, optimizer: {{name: gd, step: 0.05}}, width: {n}}}
run: {{iterations: ITERATIONS, log_every: 100000, seeds: [1]}}
"""


def cli_seconds(iterations: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "step.yaml"
        path.write_text(config.replace("ITERATIONS", str(iterations)))
        subprocess.run([arguments.ncvx, "run", str(path), "--out", f"{folder}/out", "--quiet"], check=True,
                       capture_output=True)
        with open(f"{folder}/out/timing.csv") as stream:
            return float(next(csv.DictReader(stream))["wall_seconds"])


def python_seconds(step_function, factors) -> float:
    step_function(factors, 0)  # warm up
    started = time.perf_counter()
    for t in range(steps):
        factors = step_function(factors, t)
    return (time.perf_counter() - started) / steps


rounds = 3
low, high = 2, 2 + steps
instance = ncvx.instance(config.replace("ITERATIONS", "1"))
objective = ncvx.objective(instance.measurement, ncvx.loss("squared"), instance.observations)
start = [np.random.default_rng(1).standard_normal((n, n)) * 1e-3 / np.sqrt(n)]
gd = ncvx.optimizer("gd", step=0.05)


def numpy_step(factors, t):
    _, gradient = objective.value_and_gradient(factors)
    return [F - 0.05 * G for F, G in zip(factors, gradient)]


# Rounds alternate the three, so that drifts of the machine hit all of them;
# the medians over rounds are compared.
cli_rounds, built_in_rounds, loop_rounds = [], [], []
for _ in range(rounds):
    cli_rounds.append((cli_seconds(high) - cli_seconds(low)) / steps)
    built_in_rounds.append(python_seconds(lambda F, t: gd.step(objective, F, t), start))
    loop_rounds.append(python_seconds(numpy_step, start))
print("rounds (ms): CLI", [round(x * 1e3, 1) for x in cli_rounds], "built-in", [round(x * 1e3, 1) for x in built_in_rounds], "loop", [round(x * 1e3, 1) for x in loop_rounds])
cli, built_in, python_loop = (float(np.median(r)) for r in (cli_rounds, built_in_rounds, loop_rounds))

print(f"(n, m, k) = ({n}, {m}, {n}), {steps} steps, medians of {rounds} rounds, {os.cpu_count()} cores")
print(f"CLI step                          {cli * 1e3:8.2f} ms")
print(f"python: ncvx.optimizer('gd').step {built_in * 1e3:8.2f} ms   ratio {built_in / cli:.3f}")
print(f"python: numpy loop on the objective {python_loop * 1e3:6.2f} ms   ratio {python_loop / cli:.3f}")
