"""Hostile calls to the Python module, run in a child process by
test_hostile_calls.py: every one must raise a Python exception (or return
what it should), never crash the interpreter, hang, or read outside an array.
Prints one line per call: its label, then `raised TYPE` or `returned`."""

import sys

import numpy as np

import ncvx

SYMMETRIC = """
problem: {n: 6, rank: 1}
measurement: {name: gaussian_sensing, m: 40}
methods: [{label: gd, init: small_random, optimizer: gd, width: 2}]
run: {iterations: 3, seeds: [1]}
"""
RECTANGULAR = """
problem: {name: low_rank, n1: 6, n2: 5, rank: 1}
measurement: {name: matrix_completion, p: 0.6}
methods: [{label: gd, init: small_random, optimizer: gd, width: 2, factorization: asymmetric}]
run: {iterations: 3, seeds: [1]}
"""

kept = {}  # what misbehaving components keep after their call


@ncvx.register
class KeepsTheObjective:
    """Keeps the objective it was lent."""
    kind = "optimizer"
    name = "py_keeps_objective"

    def step(self, objective, factors, iteration):
        kept["objective"] = objective
        return factors


@ncvx.register
class KeepsTheOperator:
    """Keeps the operator it was lent."""
    kind = "initializer"
    name = "py_keeps_operator"

    def initialize(self, measurement, observations, shape, seed):
        kept["operator"] = measurement
        return [np.full((shape["rows"], shape["width"]), 0.1)]


@ncvx.register
class WrongShape:
    """Returns a start of the wrong shape."""
    kind = "initializer"
    name = "py_wrong_shape"

    def initialize(self, measurement, observations, shape, seed):
        return [np.zeros((shape["rows"] + 1, shape["width"]))]


def call(label, function):
    try:
        function()
        print(f"{label}: returned", flush=True)
    except BaseException as error:  # noqa: B902 - every Python exception is a pass here
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        print(f"{label}: raised {type(error).__name__}: {str(error).splitlines()[0][:120] if str(error) else ''}",
              flush=True)


def main():
    s = ncvx.instance(SYMMETRIC)
    r = ncvx.instance(RECTANGULAR)
    A, B = s.measurement, r.measurement
    y, z = s.observations, r.observations
    m, mb = A.measurements, B.measurements
    U = np.ones((6, 2))
    loss = ncvx.loss("squared")
    f = ncvx.objective(A, loss, y)
    g = ncvx.objective(B, loss, z)
    gd = ncvx.optimizer("gd")
    spectral = ncvx.initializer("spectral")
    empty = np.zeros((0, 0))
    calls = {
        "forward 0x0": lambda: A.forward(empty),
        "forward 5x6": lambda: A.forward(np.ones((5, 6))),
        "forward 6x5": lambda: A.forward(np.ones((6, 5))),
        "forward 3-d": lambda: A.forward(np.ones((6, 6, 1))),
        "forward text": lambda: A.forward("x"),
        "rect forward 6x6": lambda: B.forward(np.ones((6, 6))),
        "forward_factored []": lambda: A.forward_factored([]),
        "forward_factored 0 rows": lambda: A.forward_factored([np.zeros((0, 2))]),
        "forward_factored 0 columns": lambda: A.forward_factored([np.zeros((6, 0))]),
        "forward_factored 5 rows": lambda: A.forward_factored([np.ones((5, 2))]),
        "forward_factored U V widths": lambda: A.forward_factored([U, np.ones((6, 3))]),
        "forward_factored three": lambda: A.forward_factored([U, U, U]),
        "rect forward_factored [U]": lambda: B.forward_factored([np.ones((6, 2))]),
        "rect forward_factored V rows": lambda: B.forward_factored([np.ones((6, 2)), np.ones((6, 2))]),
        "adjoint empty": lambda: A.adjoint(np.zeros(0)),
        "adjoint m-1": lambda: A.adjoint(np.ones(m - 1)),
        "adjoint m+1": lambda: A.adjoint(np.ones(m + 1)),
        "rect adjoint m-1": lambda: B.adjoint(np.ones(mb - 1)),
        "adjoint_apply k=0": lambda: A.adjoint_apply(np.ones(m), np.zeros((6, 0))),
        "adjoint_apply rows": lambda: A.adjoint_apply(np.ones(m), np.ones((5, 2))),
        "adjoint_apply v": lambda: A.adjoint_apply(np.ones(3), U),
        "rect adjoint_apply n1 rows": lambda: B.adjoint_apply(np.ones(mb), np.ones((6, 2))),
        "rect adjoint_transpose_apply n2 rows": lambda: B.adjoint_transpose_apply(np.ones(mb), np.ones((5, 2))),
        "objective short y": lambda: ncvx.objective(A, loss, y[:-1]),
        "objective empty y": lambda: ncvx.objective(A, loss, np.zeros(0)),
        "value bad": lambda: f.value([np.ones((5, 2))]),
        "value 0 columns": lambda: f.value([np.zeros((6, 0))]),
        "value_and_gradient bad": lambda: f.value_and_gradient([np.ones((7, 2))]),
        "value_and_gradient_matrix 0x0": lambda: f.value_and_gradient_matrix(empty),
        "rect value [U]": lambda: g.value([np.ones((6, 2))]),
        "initialize rows": lambda: spectral.initialize(A, y, 5, 6, 2, True, 1),
        "initialize width 0": lambda: spectral.initialize(A, y, 6, 6, 0, True, 1),
        "initialize width -1": lambda: spectral.initialize(A, y, 6, 6, -1, True, 1),
        "initialize short y": lambda: spectral.initialize(A, y[:3], 6, 6, 2, True, 1),
        "initialize seed -1": lambda: spectral.initialize(A, y, 6, 6, 2, True, -1),
        "rect initialize symmetric": lambda: spectral.initialize(B, z, 6, 5, 2, True, 1),
        "step iteration -1": lambda: gd.step(f, [U], -1),
        "step bad factors": lambda: gd.step(f, [np.ones((5, 2))], 0),
        "step 0 rows": lambda: gd.step(f, [np.zeros((0, 2))], 0),
        "test_error bad": lambda: s.test_error([np.ones((4, 2))]),
        "test_error 0 rows": lambda: s.test_error([np.zeros((0, 1))]),
        "heldout_rmse bad": lambda: r.heldout_rmse([np.ones((6, 2))]),
        "instance run -1": lambda: ncvx.instance(SYMMETRIC, run=-1),
        "instance run 10**6": lambda: ncvx.instance(SYMMETRIC, run=10**6),
        "instance run 2**70": lambda: ncvx.instance(SYMMETRIC, run=2**70),
        "loss empty": lambda: loss.evaluate(np.zeros(0)),
        "loss 2-d": lambda: loss.evaluate(np.ones((2, 2))),
        "optimizer bad step": lambda: ncvx.optimizer("gd", step=-1),
        "optimizer unknown": lambda: ncvx.optimizer("gdd"),
        "loss nan parameter": lambda: ncvx.loss("huber", delta=float("nan")),
        "run negative threads": lambda: ncvx.run(SYMMETRIC, threads=-1),
        "run wrong start shape": lambda: ncvx.run(SYMMETRIC, overrides={"methods.gd.init": "py_wrong_shape"}),
    }
    for label, function in calls.items():
        call(label, function)
    # Components that keep what they were lent: using it afterwards raises.
    ncvx.run(SYMMETRIC, overrides={"methods.gd.optimizer": "py_keeps_objective",
                                   "methods.gd.init": "py_keeps_operator"})
    call("kept objective value", lambda: kept["objective"].value([U]))
    call("kept objective scale", lambda: kept["objective"].scale())
    call("kept operator forward", lambda: kept["operator"].forward(np.ones((6, 6))))
    call("kept operator rows", lambda: kept["operator"].rows)
    print("done", flush=True)


if __name__ == "__main__":
    sys.exit(main())
