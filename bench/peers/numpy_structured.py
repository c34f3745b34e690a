"""The straightforward numpy/scipy GD on structured sensing (hadamard_sensing's model).

    python3 numpy_structured.py N M K ITERATIONS

Y = H D X D H with X = U U^T zero-padded to p x p (p a power of two, H the
orthonormal Walsh-Hadamard matrix, D random signs), m coordinates (r <= c)
sampled uniformly, A(X)_i = s w_i Y_{r_i c_i} (w = sqrt(2) off the diagonal,
s = sqrt(N / m), N = p(p+1)/2). One iteration: P = H D U (a fast transform
of the columns, log2 p vectorized butterfly passes), r = s w <P_r, P_c> - y,
W = S(r) P with the sampled symmetric sparse matrix (scipy.sparse, pattern
of this iteration's coefficients; coordinates drawn twice add up), G = D H W, U -= mu G: the same
work as ncvx's.
Prints one CSV line: case,n,m,k,runs,median_seconds,per_trajectory,stored_bytes,peak_rss,note.
"""
import sys

import numpy as np
import scipy.sparse as sp

from shared import median_step_seconds, report


def hadamard(block):
    """H block for the orthonormal Walsh-Hadamard H, on the rows (p a power of two)."""
    p = block.shape[0]
    x = block.copy()
    half = 1
    while half < p:
        x = x.reshape(p // (2 * half), 2, half, -1)
        a, b = x[:, 0].copy(), x[:, 1].copy()
        x[:, 0], x[:, 1] = a + b, a - b
        x = x.reshape(p, -1)
        half *= 2
    return x / np.sqrt(p)


def main():
    n, m, k, iterations = (int(a) for a in sys.argv[1:5])
    rng = np.random.default_rng(1)
    p = 1 << (n - 1).bit_length()
    signs = rng.choice([-1.0, 1.0], p)
    total = p * (p + 1) // 2
    flat = rng.integers(0, total, m)
    column = np.floor((np.sqrt(8 * flat + 1) - 1) / 2).astype(np.int64)  # coordinate -> (row <= column)
    row = flat - column * (column + 1) // 2
    weight = np.sqrt(total / m) * np.where(row == column, 1.0, np.sqrt(2.0))
    # S(v) P = sum_i v_i w_i (e_r e_c^T + e_c e_r^T)/2 P, as one sparse matrix.
    off = row != column
    pattern_rows = np.concatenate([row, column[off]])
    pattern_cols = np.concatenate([column, row[off]])
    source = np.concatenate([np.arange(m), np.nonzero(off)[0]])
    half = np.where(off, 0.5, 1.0)

    def transformed(U):
        block = np.zeros((p, U.shape[1]))
        block[:n] = signs[:n, None] * U
        return hadamard(block)

    r = 2
    U_star = np.linalg.qr(rng.standard_normal((n, r)))[0]
    P_star = transformed(U_star)
    y = weight * np.einsum("ij,ij->i", P_star[row], P_star[column])
    U = 1e-3 * rng.standard_normal((n, k)) / np.sqrt(k)
    mu = 0.1

    def step(U):
        P = transformed(U)
        residual = weight * np.einsum("ij,ij->i", P[row], P[column]) - y
        coefficients = (residual * weight * half)[source]
        W = sp.coo_matrix((coefficients, (pattern_rows, pattern_cols)), shape=(p, p)).tocsr() @ P
        gradient = signs[:n, None] * hadamard(W)[:n]
        return U - mu * gradient

    report("numpy_structured", n, m, k, median_step_seconds(step, U, iterations),
           row.nbytes + column.nbytes + signs.nbytes, f"numpy {np.__version__}")


if __name__ == "__main__":
    main()
