"""The natural PyTorch GD on a GPU, the peer of ncvx's device trajectory
(bench/device/run.sh runs it on the same card, right after ncvx's cases).

    python3 torch_gpu.py sensing N M K ITERATIONS [--device cuda|cpu] [--dtype float64|float32]
    python3 torch_gpu.py completion N OBSERVED K ITERATIONS [--device ...]
    python3 torch_gpu.py batched N M K ITERATIONS TRAJECTORIES [--device ...]

sensing: U -= mu * (A.T @ (A @ vec(U U^T) - y)).reshape(n, n) @ U with A the
dense m x n^2 GOE operator, as a PyTorch user writes it; completion: the
observed entries of U U^T gathered by index, the gradient by torch.sparse;
batched: K trajectories sharing A, advanced together (one A @ [x_1 .. x_K]).
Timed with CUDA events (host clocks on the CPU), medians after a warm-up.
The CPU device is for testing the script (tests/CMakeLists.txt runs it small).
"""
import argparse
import statistics
import time

import torch

from shared import report


def timer(device):
    """seconds(function): the median time of function() over repeats, by events on a GPU."""
    if device.type == "cuda":
        def seconds(function, repeats):
            times = []
            for _ in range(repeats):
                start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                function()
                stop.record()
                stop.synchronize()
                times.append(start.elapsed_time(stop) * 1e-3)
            return statistics.median(times)
    else:
        def seconds(function, repeats):
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                function()
                times.append(time.perf_counter() - started)
            return statistics.median(times)
    return seconds


def goe_operator(n, m, dtype, device, generator):
    """A (m x n^2) with A_i = (G_i + G_i^T) / 2 / sqrt(m), built in blocks of rows."""
    A = torch.empty(m, n * n, dtype=dtype, device=device)
    block = max(1, (1 << 27) // (n * n))
    for first in range(0, m, block):
        rows = min(block, m - first)
        G = torch.randn(rows, n, n, dtype=dtype, device=device, generator=generator)
        A[first:first + rows] = ((G + G.transpose(1, 2)) * (0.5 / m ** 0.5)).reshape(rows, n * n)
    return A


def truth(n, dtype, device, generator):
    r = min(5, n)
    Q, _ = torch.linalg.qr(torch.randn(n, r, dtype=dtype, device=device, generator=generator))
    return Q @ torch.diag(torch.linspace(1.0, 0.5, r, dtype=dtype, device=device)) @ Q.T


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["sensing", "completion", "batched"])
    parser.add_argument("numbers", type=int, nargs="+")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    arguments = parser.parse_args()
    device = torch.device(arguments.device)
    dtype = getattr(torch, arguments.dtype)
    generator = torch.Generator(device=device).manual_seed(1)
    seconds = timer(device)
    mu = 0.1
    with torch.no_grad():
        if arguments.case in ("sensing", "batched"):
            n, m, k, iterations = arguments.numbers[:4]
            trajectories = arguments.numbers[4] if arguments.case == "batched" else 1
            A = goe_operator(n, m, dtype, device, generator)
            y = A @ truth(n, dtype, device, generator).reshape(-1)
            U = 1e-3 * torch.randn(trajectories, n, k, dtype=dtype, device=device, generator=generator) / k ** 0.5
            if trajectories == 1:
                U = U[0]

                def step():
                    nonlocal U
                    residual = A @ (U @ U.T).reshape(-1) - y
                    U = U - mu * (A.T @ residual).reshape(n, n) @ U
            else:
                def step():
                    nonlocal U
                    X = (U @ U.transpose(1, 2)).reshape(trajectories, n * n)   # K x n^2
                    residual = X @ A.T - y                                    # K x m: one pass over A
                    U = U - mu * (residual @ A).reshape(trajectories, n, n) @ U
            for _ in range(3):
                step()
            median = seconds(step, iterations)
            name = "torch_gpu_sensing" if trajectories == 1 else "torch_gpu_batched"
            report(name, n, m, k, median, A.numel() * A.element_size(),
                   f"torch {torch.__version__};device={device};dtype={arguments.dtype};trajectories={trajectories};"
                   f"per_trajectory={median / trajectories:.6e}")
        else:
            n, observed, k, iterations = arguments.numbers[:4]
            p = min(1.0, observed / (0.5 * n * (n + 1)))
            count = int(p * n * n)
            rows = torch.randint(0, n, (count,), device=device, generator=generator)
            columns = torch.randint(0, n, (count,), device=device, generator=generator)
            factor = torch.randn(n, 5, dtype=dtype, device=device, generator=generator) / n ** 0.5
            y = (factor[rows] * factor[columns]).sum(1) / p ** 0.5
            U = 1e-3 * torch.randn(n, k, dtype=dtype, device=device, generator=generator) / k ** 0.5
            indices = torch.stack([rows, columns])

            def step():
                nonlocal U
                residual = (U[rows] * U[columns]).sum(1) / p ** 0.5 - y
                G = torch.sparse_coo_tensor(indices, residual / p ** 0.5, (n, n))
                U = U - mu * (torch.sparse.mm(G, U) + torch.sparse.mm(G.t(), U))
            for _ in range(3):
                step()
            median = seconds(step, iterations)
            report("torch_gpu_completion", n, count, k, median, count * (16 + U.element_size()),
                   f"torch {torch.__version__};device={device};dtype={arguments.dtype}")


if __name__ == "__main__":
    main()
