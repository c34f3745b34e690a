"""The straightforward numpy GD for rank-one (phase retrieval) measurements.

    python3 numpy_rank_one.py N M K ITERATIONS

A(X)_i = a_i^T X a_i / sqrt(m) with a_i ~ N(0, I_n) the rows of the m x n
matrix A. One iteration: P = A U, r = |P_i|^2 / sqrt(m) - y,
G = A^T diag(r) P / sqrt(m), U -= mu G (two products with A, as ncvx).
Prints one CSV line: case,n,m,k,runs,median_seconds,per_trajectory,stored_bytes,peak_rss,note.
"""
import resource
import sys
import time

import numpy as np


def main():
    n, m, k, iterations = (int(a) for a in sys.argv[1:5])
    rng = np.random.default_rng(1)
    A = rng.standard_normal((m, n))
    scale = 1 / np.sqrt(m)
    x = rng.standard_normal(n)
    x /= np.linalg.norm(x)
    y = scale * (A @ x) ** 2
    U = 1e-3 * rng.standard_normal((n, k)) / np.sqrt(k)
    mu = 0.1
    times = []
    for t in range(iterations + 1):
        start = time.perf_counter()
        P = A @ U
        residual = scale * np.einsum("ij,ij->i", P, P) - y
        gradient = A.T @ ((scale * residual)[:, None] * P)
        U = U - mu * gradient
        if t > 0:
            times.append(time.perf_counter() - start)
    median = float(np.median(times))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"numpy_rank_one,{n},{m},{k},1,{median:.6e},{median:.6e},{A.nbytes:.6e},{peak},numpy {np.__version__}")


if __name__ == "__main__":
    main()
