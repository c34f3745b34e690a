"""The straightforward PyTorch (CPU) GD, same conventions as numpy_gd.py.

    python3 torch_gd.py N M K ITERATIONS
"""
import resource
import sys
import time

import torch


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
    times = []
    with torch.no_grad():
        for t in range(iterations + 1):
            start = time.perf_counter()
            residual = A @ (U @ U.T).reshape(-1) - y
            gradient = (A.T @ residual).reshape(n, n) @ U
            U = U - mu * gradient
            if t > 0:
                times.append(time.perf_counter() - start)
    times.sort()
    median = times[len(times) // 2] if len(times) % 2 else 0.5 * (times[len(times) // 2 - 1] + times[len(times) // 2])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"torch,{n},{m},{k},1,{median:.6e},{median:.6e},{A.numel() * 8:.6e},{peak},"
          f"torch {torch.__version__} threads={torch.get_num_threads()}")


if __name__ == "__main__":
    main()
