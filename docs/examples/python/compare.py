"""Compare gradient descent from a small random start with ScaledGD from a
spectral start on an ill-conditioned problem, from Python, and plot the test
error against the iterations with matplotlib.

    PYTHONPATH=build/python python3 docs/examples/python/compare.py [figure.png]
"""
import sys

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt

import ncvx

config = {
    "name": "compare_from_python",
    "problem": {"name": "low_rank_psd", "n": 30, "rank": 3, "condition_number": 10},
    "measurement": {"name": "gaussian_sensing", "m": 900},
    "methods": [
        {"label": "gd, small random start", "init": {"name": "small_random", "scale": 1e-6},
         "optimizer": {"name": "gd", "step": 0.2}, "width": 30},
        {"label": "gd, spectral start", "init": "spectral", "optimizer": {"name": "gd", "step": 0.2}, "width": 3},
        {"label": "scaled_gd, spectral start", "init": "spectral", "optimizer": "scaled_gd", "width": 3},
    ],
    "run": {"iterations": 1500, "log_every": 10, "seeds": [1, 2, 3]},
}

results = ncvx.run(config)
print(results.table)

# metrics: one row per run and logged iteration; summary: one row per run.
method_of = results.summary.set_index("run_id")["method"]
metrics = results.metrics.assign(method=results.metrics["run_id"].map(method_of))
median = metrics.groupby(["method", "iteration"])["test_error"].median().reset_index()

figure, axes = plt.subplots(figsize=(7, 4.2))
for method, curve in median.groupby("method", sort=False):
    axes.semilogy(curve["iteration"], curve["test_error"], label=method)
axes.set_xlabel("iteration")
axes.set_ylabel("test error |X - X*|_F / |X*|_F (median of 3 seeds)")
axes.set_title("n = 30, r = 3, kappa = 10, m = 900")
axes.legend()
axes.grid(alpha=0.3)
figure.tight_layout()
output = sys.argv[1] if len(sys.argv) > 1 else "compare.png"
figure.savefig(output, dpi=120)
print(f"figure: {output}")
