"""The peer of `ncvx_bench ratings FILE`: the same file read by pandas.read_csv
(the C parser, tab-separated, typed columns) and, for a Matrix Market file,
scipy.io.mmread; one CSV line as ncvx_bench prints it.

    python3 bench/peers/pandas_ratings.py FILE [mtx]
"""
import os
import resource
import sys
import time

import numpy as np

path = sys.argv[1]
kind = sys.argv[2] if len(sys.argv) > 2 else "tsv"
start = time.perf_counter()
if kind == "mtx":
    import scipy.io
    matrix = scipy.io.mmread(path).tocoo()
    ratings, users, items = matrix.nnz, matrix.shape[0], matrix.shape[1]
else:
    import pandas
    frame = pandas.read_csv(path, sep="\t", header=None, names=["user", "item", "rating", "time"],
                            dtype={"user": np.int64, "item": np.int64, "rating": np.float64, "time": np.int64})
    ratings, users, items = len(frame), frame.user.nunique(), frame.item.nunique()
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
size = os.path.getsize(path)
name = "ratings_read_scipy_mmread" if kind == "mtx" else "ratings_read_pandas"
print(f"{name},{users},{ratings},{items},1,{seconds:.6e},{seconds:.6e},{16.0 * ratings:.6e},{peak},"
      f"MB/s={size / seconds / 1e6:.0f};file_bytes={size}")
