"""An independent implementation of Wirtinger flow for real phase retrieval
(Candès, Li & Soltanolkotabi 2015), in numpy, written from the paper and not
from ncvx: the numbers the plugin's test and README compare against.

    y_r = (a_r^T x)^2, a_r ~ N(0, I_n), |x| = 1
    z_0 = lambda v,  v the top eigenvector of (1/m) sum_r y_r a_r a_r^T,
                     lambda^2 = n sum_r y_r / sum_r |a_r|^2
    z_{t+1} = z_t - mu_t / |z_0|^2 (1/m) sum_r ((a_r^T z_t)^2 - y_r)(a_r^T z_t) a_r,
    mu_t = min(1 - exp(-t / 330), 0.2)

A run succeeds when min(|z - x|, |z + x|) / |x| <= 1e-5 after 2500 steps.

    python3 wirtinger_flow.py            # n = 128, m/n = 4.5, 5, 6, 8, 10, seeds 0-9 (half a minute)

Measured (this script): 6, 8, 10, 10, 10 successes of 10.
"""

import numpy as np


def wirtinger_flow(n, m, seed, mu_max=0.2, t0=330.0, iterations=2500):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    x /= np.linalg.norm(x)
    A = rng.standard_normal((m, n))
    y = (A @ x) ** 2
    _, vectors = np.linalg.eigh((A.T * y) @ A / m)
    z = np.sqrt(n * y.sum() / (A ** 2).sum()) * vectors[:, -1]
    start = z @ z
    for t in range(1, iterations + 1):
        mu = min(1.0 - np.exp(-t / t0), mu_max)
        Az = A @ z
        z = z - mu / start * (A.T @ ((Az ** 2 - y) * Az)) / m
        if not np.all(np.isfinite(z)):
            return np.inf
    return min(np.linalg.norm(z - x), np.linalg.norm(z + x))


if __name__ == "__main__":
    n = 128
    for ratio in (4.5, 5, 6, 8, 10):
        errors = [wirtinger_flow(n, int(ratio * n), seed) for seed in range(10)]
        print(f"m/n = {ratio}: {sum(e <= 1e-5 for e in errors)} of 10 succeed", flush=True)
