"""The straightforward PyTorch (CPU) peer of `ncvx_bench factorization_step`: one gradient step of
deep matrix factorization (X = W_D ... W_1) or of a CP tensor [[A, B, C]] on a completion
objective 1/4 sum_omega (X_omega / sqrt(p) - y_omega)^2, gradients by autograd, the observed
entries gathered from the factors (never a dense X).

    python3 torch_factorizations.py deep N1 N2 P K DEPTH ITERATIONS
    python3 torch_factorizations.py cp N1 N2 N3 P R ITERATIONS
"""
import sys

import torch

from shared import median_step_seconds, report


def main():
    name = sys.argv[1]
    torch.manual_seed(1)
    dtype = torch.float64
    if name == "deep":
        n1, n2 = int(sys.argv[2]), int(sys.argv[3])
        p, k, depth, iterations = float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
        shapes = [(k, n2)] + [(k, k)] * (depth - 2) + [(n1, k)]
        columns = n2
    else:
        n1, n2, n3 = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        p, k, iterations = float(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
        shapes = [(n1, k), (n2, k), (n3, k)]
        columns = n2 * n3
    observed = torch.rand(n1 * columns) < p  # sampled positions, as completion's Omega
    positions = torch.nonzero(observed).squeeze(1)
    rows, cols = positions // columns, positions % columns
    y = torch.randn(positions.numel(), dtype=dtype)
    scale = 1.0 / p ** 0.5
    blocks = [0.1 * torch.randn(*shape, dtype=dtype) / k ** 0.5 for shape in shapes]
    mu = 1e-3

    def thin_factors(blocks):
        if name == "deep":
            left = blocks[-1]
            for W in reversed(blocks[1:-1]):
                left = left @ W
            return left, blocks[0].T
        A, B, C = blocks
        return A, (C.unsqueeze(1) * B.unsqueeze(0)).reshape(columns, k)  # (C (.) B)(j + n2 l) = B_j C_l

    def step(blocks):
        blocks = [W.detach().requires_grad_(True) for W in blocks]
        left, right = thin_factors(blocks)
        z = scale * (left[rows] * right[cols]).sum(1)
        loss = 0.25 * ((z - y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            return [W - mu * W.grad for W in blocks]

    median = median_step_seconds(step, blocks, iterations)
    case = f"torch_factorization_{name}" + (str(depth) if name == "deep" else "")
    report(case, n1, positions.numel(), k, median, 0, f"torch {torch.__version__} threads={torch.get_num_threads()}")


if __name__ == "__main__":
    main()
