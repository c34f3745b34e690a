"""The straightforward scipy.sparse GD for symmetric matrix completion.

    python3 scipy_completion.py N OBSERVED K ITERATIONS

about OBSERVED distinct pairs (i <= j) drawn uniformly; A(Z)_w = w Z_ij with w = 1/sqrt(p)
(diagonal) or sqrt(2/p). One iteration: v = rowwise <U_i, U_j> (gather),
r = w v - y, G = S U with S the symmetric sparse matrix of A*(r) (CSR, its
pattern built once), U -= mu G.
"""
import sys

import numpy as np
import scipy.sparse as sp

from shared import median_step_seconds, report


def main():
    n, observed, k, iterations = (int(a) for a in sys.argv[1:5])
    rng = np.random.default_rng(1)
    p = min(1.0, observed / (0.5 * n * (n + 1)))
    a = rng.integers(0, n, observed)
    b = rng.integers(0, n, observed)
    pairs = np.unique(np.minimum(a, b) * n + np.maximum(a, b))  # each pair once
    rows, cols = pairs // n, pairs % n
    observed = len(pairs)
    weight = np.where(rows == cols, 1 / np.sqrt(p), np.sqrt(2 / p))
    r = 5
    U_star = np.linalg.qr(rng.standard_normal((n, r)))[0] * np.sqrt(np.linspace(1, 0.5, r))
    y = weight * np.einsum("ij,ij->i", U_star[rows], U_star[cols])
    # Pattern of A*(.) : (i, j) and (j, i) for off-diagonal pairs.
    off = rows != cols
    pattern_rows = np.concatenate([rows, cols[off]])
    pattern_cols = np.concatenate([cols, rows[off]])
    source = np.concatenate([np.arange(observed), np.nonzero(off)[0]])
    scale = np.where(rows == cols, 1.0, 0.5)
    order = sp.coo_matrix((np.arange(len(source), dtype=np.float64), (pattern_rows, pattern_cols)),
                          shape=(n, n)).tocsr()
    permutation = source[order.data.astype(np.int64)]
    U = 1e-3 * rng.standard_normal((n, k)) / np.sqrt(k)
    mu = 0.1

    def step(U):
        values = np.einsum("ij,ij->i", U[rows], U[cols])
        residual = weight * values - y
        coefficient = residual * weight * scale
        order.data = coefficient[permutation]
        gradient = order @ U
        return U - mu * gradient

    report("scipy_completion", n, observed, k, median_step_seconds(step, U, iterations), observed * 16,
           f"scipy {sp.__name__}")


if __name__ == "__main__":
    main()
