"""The straightforward numpy GD a researcher would write (docs/theory.md conventions).

    python3 numpy_gd.py N M K ITERATIONS

A is stored as an m x n^2 float64 matrix with A_i = (G_i + G_i^T) / (2 sqrt(m));
one iteration is r = A vec(UU^T) - y, G = mat(A^T r) U, U -= mu G (two reads of A).
Prints one CSV line: case,n,m,k,runs,median_seconds,per_trajectory,stored_bytes,peak_rss,note.
"""
import sys

import numpy as np

from shared import median_step_seconds, report


def main():
    n, m, k, iterations = (int(a) for a in sys.argv[1:5])
    rng = np.random.default_rng(1)
    A = rng.standard_normal((m, n, n))
    A += A.transpose(0, 2, 1)
    A *= 0.5 / np.sqrt(m)
    A = A.reshape(m, n * n)
    r = min(5, n)
    Q, _ = np.linalg.qr(rng.standard_normal((n, r)))
    X_star = Q @ np.diag(np.linspace(1.0, 0.5, r)) @ Q.T
    y = A @ X_star.ravel()
    U = 1e-3 * rng.standard_normal((n, k)) / np.sqrt(k)
    mu = 0.1

    def step(U):
        residual = A @ (U @ U.T).ravel() - y
        gradient = (A.T @ residual).reshape(n, n) @ U
        return U - mu * gradient

    report("numpy", n, m, k, median_step_seconds(step, U, iterations), A.nbytes, f"numpy {np.__version__}")


if __name__ == "__main__":
    main()
