"""A random-call fuzzer for the Python module's entry points: for SECONDS
(default 10), calls operators, objectives, losses, initializers, optimizers
and instances with random arguments (arrays of random shapes and dtypes,
NaN and infinities, negative and huge integers, None, text, nested lists).
Each call may raise any Python exception; the interpreter must never crash
or hang. Prints the number of calls and of each exception type.

    python3 fuzz_calls.py [SECONDS] [SEED]      (PYTHONPATH=build/python)

scripts/fuzz.sh runs it for its fuzzing time; the test suite for a few seconds.
"""

import collections
import sys
import time
import warnings

import numpy as np

import ncvx

SYMMETRIC = """
problem: {n: 5, rank: 1}
measurement: {name: gaussian_sensing, m: 30}
methods: [{label: gd, init: small_random, optimizer: gd, width: 2}]
run: {iterations: 2, seeds: [1]}
"""
RECTANGULAR = """
problem: {name: low_rank, n1: 5, n2: 4, rank: 1}
measurement: {name: matrix_completion, p: 0.7}
methods: [{label: gd, init: small_random, optimizer: gd, width: 2, factorization: asymmetric}]
run: {iterations: 2, seeds: [1]}
"""


def main():
    warnings.simplefilter("ignore")  # numpy's casting warnings are not the point
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    rng = np.random.default_rng(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    instances = [ncvx.instance(SYMMETRIC), ncvx.instance(RECTANGULAR)]
    loss = ncvx.loss("squared")
    objectives = [ncvx.objective(i.measurement, loss, i.observations) for i in instances]
    optimizers = [ncvx.optimizer(name) for name in ("gd", "momentum", "scaled_gd", "precgd")]
    initializers = [ncvx.initializer(name) for name in ("spectral", "small_random", "truncated_spectral")]
    losses = [ncvx.loss(name) for name in ("squared", "l1", "huber")]

    def number():
        return rng.choice([0, 1, -1, 2, 5, 4, 30, 29, 31, 2**31, -2**63, 2**64, 0.5])

    def value():
        choice = rng.integers(9)
        if choice == 0:
            return None
        if choice == 1:
            return "text"
        if choice == 2:
            return int(number())
        if choice == 3:
            return [[1.0, 2.0], [3.0]]
        dimensions = rng.choice([0, 1, 2, 3], p=[0.05, 0.35, 0.5, 0.1])
        shape = tuple(int(rng.choice([0, 1, 2, 4, 5, 6, 30, 31])) for _ in range(dimensions))
        dtype = np.float64 if rng.random() < 0.7 else rng.choice([np.float32, np.int64, np.bool_, np.complex128])
        array = rng.standard_normal(shape) if shape else np.float64(rng.standard_normal())
        if rng.random() < 0.2 and np.size(array):
            array.flat[0] = rng.choice([np.nan, np.inf, -np.inf, 1e308])
        array = np.asarray(array).astype(dtype)
        if rng.random() < 0.2 and array.ndim == 2:
            array = np.asfortranarray(array)[:, ::-1] if array.shape[1] else array
        return array

    def factors():
        if rng.random() < 0.3:
            return value()
        return [value() for _ in range(rng.integers(0, 4))]

    calls = [
        lambda: rng.choice(instances).measurement.forward(value()),
        lambda: rng.choice(instances).measurement.forward_factored(factors()),
        lambda: rng.choice(instances).measurement.adjoint(value()),
        lambda: rng.choice(instances).measurement.adjoint_apply(value(), value()),
        lambda: rng.choice(instances).measurement.adjoint_transpose_apply(value(), value()),
        lambda: ncvx.objective(rng.choice(instances).measurement, rng.choice(losses), value()),
        lambda: rng.choice(objectives).value(factors()),
        lambda: rng.choice(objectives).value_and_gradient(factors()),
        lambda: rng.choice(objectives).value_and_gradient_matrix(value()),
        lambda: rng.choice(objectives).scale(),
        lambda: rng.choice(losses).evaluate(value()),
        lambda: rng.choice(initializers).initialize(rng.choice(instances).measurement, value(), number(), number(),
                                                    number(), bool(rng.integers(2)), number()),
        lambda: rng.choice(optimizers).step(rng.choice(objectives), factors(), number()),
        lambda: rng.choice(instances).test_error(factors()),
        lambda: rng.choice(instances).heldout_rmse(factors()),
    ]
    counts = collections.Counter()
    deadline = time.time() + seconds
    total = 0
    while time.time() < deadline:
        call = calls[rng.integers(len(calls))]
        try:
            call()
            counts["returned"] += 1
        except Exception as error:  # noqa: BLE001 - any Python exception is an acceptable outcome
            counts[type(error).__name__] += 1
        total += 1
    print(f"{total} calls: " + ", ".join(f"{name} {count}" for name, count in counts.most_common()), flush=True)


if __name__ == "__main__":
    main()
