"""The straightforward numpy GD for rank-one (phase retrieval) measurements.

    python3 numpy_rank_one.py N M K ITERATIONS

A(X)_i = a_i^T X a_i / sqrt(m) with a_i ~ N(0, I_n) the rows of the m x n
matrix A. One iteration: P = A U, r = |P_i|^2 / sqrt(m) - y,
G = A^T diag(r) P / sqrt(m), U -= mu G (two products with A, as ncvx).
Prints one CSV line: case,n,m,k,runs,median_seconds,per_trajectory,stored_bytes,peak_rss,note.
"""
import sys

import numpy as np

from shared import median_step_seconds, report


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

    def step(U):
        P = A @ U
        residual = scale * np.einsum("ij,ij->i", P, P) - y
        gradient = A.T @ ((scale * residual)[:, None] * P)
        return U - mu * gradient

    report("numpy_rank_one", n, m, k, median_step_seconds(step, U, iterations), A.nbytes, f"numpy {np.__version__}")


if __name__ == "__main__":
    main()
