"""Spectral initialization with numpy (dense eigh of A*(y)) or scipy (eigsh).

    python3 numpy_spectral.py sensing N M K        dense: M = mat(A^T y), numpy.linalg.eigh
    python3 numpy_spectral.py completion N OBSERVED K   sparse: scipy.sparse.linalg.eigsh
"""
import statistics
import sys
import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from shared import report


def main():
    model = sys.argv[1]
    n, size, k = (int(a) for a in sys.argv[2:5])
    rng = np.random.default_rng(1)
    r = 5
    U_star = np.linalg.qr(rng.standard_normal((n, r)))[0] * np.sqrt(np.linspace(1, 0.5, r))
    times = []
    if model == "sensing":
        A = rng.standard_normal((size, n, n))
        A += A.transpose(0, 2, 1)
        A *= 0.5 / np.sqrt(size)
        A = A.reshape(size, n * n)
        y = A @ (U_star @ U_star.T).ravel()
        for _ in range(3):
            start = time.perf_counter()
            values, vectors = np.linalg.eigh((A.T @ y).reshape(n, n))
            U0 = vectors[:, -k:] * np.sqrt(np.maximum(values[-k:], 0))
            times.append(time.perf_counter() - start)
    else:
        p = min(1.0, size / (0.5 * n * (n + 1)))
        a, b = rng.integers(0, n, size), rng.integers(0, n, size)
        pairs = np.unique(np.minimum(a, b) * n + np.maximum(a, b))
        rows, cols = pairs // n, pairs % n
        weight = np.where(rows == cols, 1 / np.sqrt(p), np.sqrt(2 / p))
        y = weight * np.einsum("ij,ij->i", U_star[rows], U_star[cols])
        off = rows != cols
        coefficient = y * weight * np.where(off, 0.5, 1.0)
        for _ in range(3):
            start = time.perf_counter()
            M = sp.coo_matrix((np.concatenate([coefficient, coefficient[off]]),
                               (np.concatenate([rows, cols[off]]), np.concatenate([cols, rows[off]]))),
                              shape=(n, n)).tocsr()
            values, vectors = spla.eigsh(M, k=k, which="LA")
            U0 = vectors * np.sqrt(np.maximum(values, 0))
            times.append(time.perf_counter() - start)
    report(f"peer_spectral_{model}", n, size, k, statistics.median(times), 0, "numpy/scipy")


if __name__ == "__main__":
    main()
