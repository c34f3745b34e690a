"""The straightforward PyTorch (CPU) GD, same conventions as numpy_gd.py.

    python3 torch_gd.py N M K ITERATIONS
"""
import sys

import torch

from shared import median_step_seconds, report


def main():
    n, m, k, iterations = (int(a) for a in sys.argv[1:5])
    torch.manual_seed(1)
    dtype = torch.float64
    A = torch.randn(m, n, n, dtype=dtype)
    A = (A + A.transpose(1, 2)) * (0.5 / m ** 0.5)
    A = A.reshape(m, n * n).contiguous()
    r = min(5, n)
    Q, _ = torch.linalg.qr(torch.randn(n, r, dtype=dtype))
    X_star = Q @ torch.diag(torch.linspace(1.0, 0.5, r, dtype=dtype)) @ Q.T
    y = A @ X_star.reshape(-1)
    U = 1e-3 * torch.randn(n, k, dtype=dtype) / k ** 0.5
    mu = 0.1

    def step(U):
        residual = A @ (U @ U.T).reshape(-1) - y
        gradient = (A.T @ residual).reshape(n, n) @ U
        return U - mu * gradient

    with torch.no_grad():
        median = median_step_seconds(step, U, iterations)
    report("torch", n, m, k, median, A.numel() * 8, f"torch {torch.__version__} threads={torch.get_num_threads()}")


if __name__ == "__main__":
    main()
