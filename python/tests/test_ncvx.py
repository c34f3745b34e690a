"""The Python module: every function, numbers identical to the CLI, components
step by step, and components written in Python (a Python gradient descent
matches the built-in gd bit for bit). Run by ctest (python.pytest) with
PYTHONPATH=<build>/python, NCVX_EXECUTABLE and NCVX_SOURCE_DIR set."""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import ncvx

SOURCE = pathlib.Path(os.environ.get("NCVX_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
QUICKSTART = SOURCE / "configs" / "quickstart.yaml"
SMALL = """
name: small
problem: {n: 12, rank: 2}
measurement: {name: gaussian_sensing, m: 150}
methods:
  - {label: gd, init: {name: small_random, scale: 1.0e-3}, optimizer: {name: gd, step: 0.2}, width: 4}
run: {iterations: 200, log_every: 20, seeds: [1, 2]}
"""


def test_run_returns_the_summary_metrics_and_table():
    results = ncvx.run(QUICKSTART, overrides=["run.iterations=100"])
    assert len(results.summary) == 6
    assert set(results.summary["method"]) == {"small_random", "spectral"}
    assert list(results.metrics.columns[:4]) == ["run_id", "iteration", "train_loss", "test_error"]
    assert len(results.metrics) == 6 * 11  # iterations 0, 10, ..., 100
    assert "small_random" in results.table and "final test_error" in results.table
    assert results.folder is None
    assert "iterations: 100" in results.config


def test_numbers_identical_to_the_cli(tmp_path):
    executable = os.environ.get("NCVX_EXECUTABLE")
    if not executable:
        pytest.skip("NCVX_EXECUTABLE not set")
    overrides = ["run.iterations=150"]
    subprocess.run([executable, "run", str(QUICKSTART), *overrides, "--out", str(tmp_path / "cli"), "--quiet"],
                   check=True, capture_output=True)
    results = ncvx.run(QUICKSTART, overrides=overrides, out=tmp_path / "python")
    assert results.folder == tmp_path / "python"
    for name in ("summary.csv", "metrics.csv", "config.resolved.yaml"):
        cli = (tmp_path / "cli" / name).read_text()
        python = (tmp_path / "python" / name).read_text()
        if name == "config.resolved.yaml":  # its first line names the command
            cli, python = cli.split("\n", 1)[1], python.split("\n", 1)[1]
        assert cli == python, name
    # The data frame holds exactly the numbers of the file.
    import pandas
    frame = pandas.read_csv(tmp_path / "cli" / "summary.csv", float_precision="round_trip")
    assert (frame["final_test_error"].to_numpy() == results.summary["final_test_error"].to_numpy()).all()


def test_a_dict_and_a_yaml_string_give_the_same_runs_as_a_file(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    from_file = ncvx.run(path)
    from_text = ncvx.run(SMALL)
    from_dict = ncvx.run({
        "name": "small",
        "problem": {"n": 12, "rank": 2},
        "measurement": {"name": "gaussian_sensing", "m": 150},
        "methods": [{"label": "gd", "init": {"name": "small_random", "scale": 1e-3},
                     "optimizer": {"name": "gd", "step": 0.2}, "width": 4}],
        "run": {"iterations": 200, "log_every": 20, "seeds": [1, 2]},
    })
    for other in (from_text, from_dict):
        assert (other.summary["final_test_error"] == from_file.summary["final_test_error"]).all()
    swept = ncvx.run(SMALL, overrides={"methods.gd.init.scale": [1e-2, 1e-4]})
    assert len(swept.summary) == 4


def test_errors_are_python_exceptions_with_the_cli_sentences():
    with pytest.raises(ncvx.ConfigError) as error:
        ncvx.run(SMALL.replace("log_every", "log_evry"))
    assert "<string>:7:" in str(error.value) and "did you mean 'log_every'?" in str(error.value)
    with pytest.raises(ncvx.ConfigError):
        ncvx.run(SMALL, overrides=["run.iteratons=5"])
    with pytest.raises(ncvx.PluginError) as error:
        ncvx.optimizer("gdd")
    assert "did you mean 'gd'?" in str(error.value)
    assert issubclass(ncvx.ConfigError, ncvx.Error) and issubclass(ncvx.PluginError, ncvx.Error)


def test_plugins_describe_and_check():
    names = {(p["kind"], p["name"]) for p in ncvx.plugins()}
    assert ("optimizer", "gd") in names and ("measurement", "gaussian_sensing") in names
    described = ncvx.describe("gd")
    assert described["kind"] == "optimizer"
    assert described["parameters"][0]["name"] == "step" and described["parameters"][0]["default"] == 0.1
    assert ncvx.check("gd").passed
    result = ncvx.check("momentum", variant="nesterov")
    assert result.passed and "reaches the answer" in result.table


def test_components_step_by_step():
    instance = ncvx.instance(SMALL)
    A = instance.measurement
    assert (A.rows, A.cols, A.measurements, A.symmetric) == (12, 12, 150, True)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 12))
    X = X + X.T
    v = rng.standard_normal(150)
    # The adjoint identity <A(X), v> = <X, A*(v)>.
    assert np.isclose(A.forward(X) @ v, np.sum(X * A.adjoint(v)), rtol=1e-12)
    U = rng.standard_normal((12, 3))
    assert np.allclose(A.adjoint_apply(v, U), A.adjoint(v) @ U, rtol=1e-12)
    assert np.allclose(A.forward_factored([U]), A.forward(U @ U.T), rtol=1e-12)

    squared = ncvx.loss("squared")
    value, derivative = squared.evaluate(np.array([2.0, -4.0]))
    assert value == 5.0 and list(derivative) == [1.0, -2.0]
    f = ncvx.objective(A, squared, instance.observations)
    value, (gradient,) = f.value_and_gradient([U])
    residual = A.forward_factored([U]) - instance.observations
    assert np.allclose(gradient, A.adjoint_apply(residual, U), rtol=1e-12)
    assert np.isclose(value, residual @ residual / 4, rtol=1e-12)

    # A C++ optimizer driven from a Python loop: the closed form of gd, then convergence.
    gd = ncvx.optimizer("gd", step=0.2)
    (stepped,) = gd.step(f, [U], 0)
    assert np.array_equal(stepped, U - 0.2 * gradient)
    start = ncvx.initializer("spectral").initialize(A, instance.observations, 12, 12, 2, True, 1)
    factors = start
    for t in range(300):
        factors = gd.step(f, factors, t)
    assert instance.test_error(factors) < 1e-6 < instance.test_error(start)
    assert instance.ground_truth.shape == (12, 12)


@ncvx.register
class PythonGradientDescent:
    """Gradient descent written in Python: F <- F - mu grad f(F)."""
    kind = "optimizer"
    name = "py_gd"
    parameters = {"step": (0.1, "mu")}

    def __init__(self, step):
        self.mu = step

    def step(self, objective, factors, iteration):
        _, gradient = objective.value_and_gradient(factors)
        return [F - self.mu * G for F, G in zip(factors, gradient)]


@ncvx.register
class PythonSquaredLoss:
    """l(r) = r^2 / 4, written in Python."""
    kind = "loss"
    name = "py_squared"

    def evaluate(self, residual):
        return float(residual @ residual) / 4.0, residual / 2.0


@ncvx.register
class FactorNorm:
    """|U|_F, written in Python."""
    kind = "metric"
    name = "py_factor_norm"
    columns = ["factor_norm"]

    def evaluate(self, context):
        return [float(np.linalg.norm(context["factors"][0]))]


def test_a_python_optimizer_matches_the_built_in_gd_bit_for_bit():
    text = SMALL.replace("""  - {label: gd, init: {name: small_random, scale: 1.0e-3}, optimizer: {name: gd, step: 0.2}, width: 4}""",
                         """  - {label: gd, init: {name: small_random, scale: 1.0e-3}, optimizer: {name: gd, step: 0.2}, width: 4}
  - {label: python, init: {name: small_random, scale: 1.0e-3}, optimizer: {name: py_gd, step: 0.2}, width: 4}""")
    results = ncvx.run(text, overrides={"metrics": ["py_factor_norm"]})
    metrics = results.metrics
    runs = results.summary.set_index("run_id")
    gd = metrics[metrics["run_id"].map(runs["method"]) == "gd"].reset_index(drop=True)
    python = metrics[metrics["run_id"].map(runs["method"]) == "python"].reset_index(drop=True)
    for column in ("train_loss", "test_error", "factor_norm"):
        assert (gd[column].to_numpy() == python[column].to_numpy()).all(), column
    assert results.summary["status"].eq("budget").all()


def test_a_python_optimizer_updates_any_factorization_as_the_built_in_gd_does():
    # A deep network's blocks (W_1 4 x 12, W_2 4 x 4, W_3 12 x 4) reach the
    # Python optimizer as a list and its update is gd's, bit for bit.
    text = """
problem: {n: 12, rank: 2}
measurement: {name: gaussian_sensing, m: 150}
methods:
  - {label: gd, init: {name: small_random, scale: 0.1}, optimizer: {name: gd, step: 0.2}, width: 4,
     factorization: {name: deep, depth: 3}}
  - {label: python, init: {name: small_random, scale: 0.1}, optimizer: {name: py_gd, step: 0.2}, width: 4,
     factorization: {name: deep, depth: 3}}
run: {iterations: 100, log_every: 20, seeds: [1]}
"""
    results = ncvx.run(text)
    metrics = results.metrics
    runs = results.summary.set_index("run_id")
    gd = metrics[metrics["run_id"].map(runs["method"]) == "gd"].reset_index(drop=True)
    python = metrics[metrics["run_id"].map(runs["method"]) == "python"].reset_index(drop=True)
    assert (gd["test_error"].to_numpy() == python["test_error"].to_numpy()).all()
    assert gd["test_error"].iloc[-1] < gd["test_error"].iloc[0]
    assert results.summary["factorization"].eq("deep").all()
    assert results.summary["status"].eq("budget").all()


def test_a_python_loss_is_usable_in_a_run_and_checked():
    results = ncvx.run(SMALL, overrides={"methods.gd.loss": "py_squared"})
    reference = ncvx.run(SMALL)
    assert np.allclose(results.summary["final_test_error"], reference.summary["final_test_error"], rtol=1e-9)
    assert ncvx.check("py_squared").passed
    assert ncvx.check("py_gd").passed
    assert ncvx.describe("py_gd")["file"].endswith("PythonGradientDescent")


def test_python_components_that_misbehave_fail_their_run_or_their_checks():
    @ncvx.register
    class Uphill:
        """Goes uphill."""
        kind = "optimizer"
        name = "py_uphill"

        def step(self, objective, factors, iteration):
            _, gradient = objective.value_and_gradient(factors)
            return [F + 0.1 * G for F, G in zip(factors, gradient)]

    @ncvx.register
    class Raises:
        """Raises."""
        kind = "optimizer"
        name = "py_raises"

        def step(self, objective, factors, iteration):
            raise RuntimeError("this step is not written yet")

    assert not ncvx.check("py_uphill").passed
    results = ncvx.run(SMALL, overrides={"methods.gd.optimizer": "py_raises"})
    assert results.summary["status"].eq("failed").all()
    assert results.summary["message"].str.contains("this step is not written yet").all()
    assert results.summary["message"].str.contains("python: ").all()
    with pytest.raises(ncvx.PluginError):
        ncvx.register(type("Shadow", (), {"kind": "optimizer", "name": "gd", "step": lambda *a: None}))


def test_any_failure_message_survives_the_result_files(tmp_path):
    # Newlines, quotes, commas, a NUL, a carriage return and text that looks
    # like journal lines: the run fails with the message, every file reads back.
    message = 'first line\nsecond, "quoted"\r\n#end 0 0\n#run 7\nnul:\0:end \\n'

    @ncvx.register
    class RaisesAnything:
        """Raises a message no line-based file could hold."""
        kind = "optimizer"
        name = "py_raises_anything"

        def step(self, objective, factors, iteration):
            raise ValueError(message)

    results = ncvx.run(SMALL, overrides={"methods.gd.optimizer": "py_raises_anything"}, out=tmp_path / "out")
    assert len(results.summary) == 2
    assert results.summary["status"].eq("failed").all()
    shown = message.replace("\0", "\u2400")  # a NUL, which pandas' reader ends a field at, is shown as U+2400
    assert results.summary["message"].map(lambda text: shown in text).all(), list(results.summary["message"])
    # summary.csv is assembled from the journal: the message went through it intact.
    lines = (tmp_path / "out" / "runs.journal").read_text().splitlines()
    assert sum(line.startswith("#end ") for line in lines) == 2


def test_load_reads_back_what_run_returned_and_a_shard_before_merging(tmp_path):
    if not os.environ.get("NCVX_EXECUTABLE"):
        pytest.skip("NCVX_EXECUTABLE not set")
    ran = ncvx.run(QUICKSTART, overrides=["run.iterations=60"], out=tmp_path / "whole")
    loaded = ncvx.load(tmp_path / "whole")
    assert loaded.complete
    assert loaded.table == ran.table
    for frame in ("summary", "metrics", "tidy", "timing", "seconds"):
        assert getattr(loaded, frame).equals(getattr(ran, frame)), frame
    # tidy: every metrics row with its method, swept values and seed; pandas alone suffices.
    tidy = loaded.tidy
    assert len(tidy) == len(loaded.metrics)
    assert list(tidy.columns[:4]) == ["run_id", "method", "seed", "iteration"]
    assert set(tidy.method) == {"small_random", "spectral"}
    # A shard's folder, before any merge: the runs it holds.
    subprocess.run([os.environ["NCVX_EXECUTABLE"], "run", str(QUICKSTART), "run.iterations=60",
                    "--shard", "1/2", "--out", str(tmp_path / "shard"), "-q"], check=True, capture_output=True)
    shard = ncvx.load(tmp_path / "shard")
    assert not shard.complete
    assert 0 < len(shard.summary) < len(loaded.summary)
    ids = set(shard.summary.run_id)
    assert shard.metrics.equals(loaded.metrics[loaded.metrics.run_id.isin(ids)].reset_index(drop=True))


def test_the_time_axis_has_a_row_per_metrics_row():
    results = ncvx.run(SMALL)
    seconds, metrics = results.seconds, results.metrics
    assert list(seconds.columns) == ["run_id", "iteration", "seconds"]
    assert (seconds.run_id.values == metrics.run_id.values).all()
    assert (seconds.iteration.values == metrics.iteration.values).all()
    for _, run in seconds.groupby("run_id"):
        assert run.seconds.iloc[0] == 0.0
        assert (np.diff(run.seconds.values) >= 0).all()


def test_a_progress_callback_sees_every_run_and_can_stop_the_sweep(tmp_path):
    states = []
    ncvx.run(SMALL, progress=states.append, threads=1)
    finished = [state for state in states if "run_id" in state]
    assert sorted(state["run_id"] for state in finished) == [0, 1]
    assert finished[-1]["done"] == finished[-1]["total"] == 2
    assert all(state["status"] == "budget" and state["method"] == "gd" for state in finished)
    assert {state["seed"] for state in finished} == {1, 2}

    class Enough(Exception):
        pass

    def stop(state):
        if "run_id" in state:
            raise Enough("stop after the first run")

    with pytest.raises(Enough, match="stop after the first run"):
        ncvx.run(SMALL, progress=stop, threads=1, out=tmp_path / "stopped")
    # The folder resumes: the remaining run, then the same results as one sweep.
    resumed = ncvx.run(SMALL, out=tmp_path / "stopped", resume=True)
    whole = ncvx.run(SMALL)
    assert resumed.metrics.equals(whole.metrics)
    with pytest.raises(TypeError, match="progress is a function"):
        ncvx.run(SMALL, progress=3)


def test_an_interpreter_without_numpy_is_told_which_one_to_use():
    # numpy made unimportable in a child: the import names the interpreter this build is for.
    code = "import sys; sys.modules['numpy'] = None; import ncvx"
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ})
    assert child.returncode != 0
    assert "ncvx was built for" in child.stderr and "has no numpy" in child.stderr
    assert "Run it with" in child.stderr


# ---------------------------------------------------------------- problems, measurements, corruptions in Python

@ncvx.register
class PsdBlocks:
    """X* = G G^T / n with G n x r Gaussian (a Python-written problem)"""
    kind = "problem"
    name = "py_psd"
    parameters = {"n": 10, "rank": 2}

    def __init__(self, n, rank):
        self.n, self.rank = n, rank

    def describe(self):
        return {"rows": self.n, "cols": self.n, "symmetric": True, "rank": self.rank}

    def sample(self, seed):
        G = np.random.default_rng(seed).standard_normal((self.n, self.rank))
        return {"ground_truth": G @ G.T / self.n}


@ncvx.register
class DenseSensing:
    """A(X)_i = <B_i, X> with symmetric Gaussian B_i / sqrt(m) (a Python-written measurement model)"""
    kind = "measurement"
    name = "py_sensing"
    parameters = {"m": 120}
    isometric = False

    def __init__(self, m):
        self.m = m

    def sample(self, shape, observed, seed):
        if not shape["symmetric"]:  # a refusal with a sentence: the model measures symmetric matrices
            raise ValueError("py_sensing measures symmetric n x n matrices")
        n = shape["rows"]
        G = np.random.default_rng(seed).standard_normal((self.m, n, n))
        return _Operator((G + G.transpose(0, 2, 1)) / (2 * np.sqrt(self.m)))


class _Operator:
    def __init__(self, B):
        self.B = B
        self.measurements = B.shape[0]

    def forward(self, X):
        return np.einsum("ijk,jk->i", self.B, X)

    def adjoint(self, v):
        return np.einsum("i,ijk->jk", v, self.B)


@ncvx.register
class Spikes:
    """adds `size` to a `fraction` of the observations (a Python-written corruption)"""
    kind = "corruption"
    name = "py_spikes"
    parameters = {"fraction": 0.1, "size": 0.5}

    def __init__(self, fraction, size):
        self.fraction, self.size = fraction, size

    def corrupt(self, y, seed):
        hit = np.random.default_rng(seed).random(len(y)) < self.fraction
        return y + self.size * hit


PYTHON_DATA = """
name: python_data
problem: {name: py_psd, n: 10, rank: 2}
measurement: {name: py_sensing, m: 120}
methods:
  - {label: gd, init: spectral, optimizer: {name: gd, step: 0.2}, width: 2}
run: {iterations: 150, log_every: 50, seeds: [1, 2]}
"""


def test_python_problem_measurement_and_corruption_pass_the_conformance_kit():
    for name in ("py_psd", "py_sensing", "py_spikes"):
        checked = ncvx.check(name)
        assert checked.passed, checked.table
    assert ncvx.describe("py_sensing")["kind"] == "measurement"


def test_python_data_components_run_in_a_sweep_beside_cpp_plugins():
    ran = ncvx.run(PYTHON_DATA)
    assert set(ran.summary.status) == {"budget"}
    assert (ran.summary.final_test_error < 1e-6).all(), ran.table
    again = ncvx.run(PYTHON_DATA)
    assert again.metrics.equals(ran.metrics)  # seeded from the run's streams: deterministic
    # Mixed with C++ plugins: the C++ problem measured by the Python model, and the reverse.
    mixed = ncvx.run(PYTHON_DATA, overrides=["problem={name: low_rank_psd, n: 10, rank: 2}"])
    assert (mixed.summary.final_test_error < 1e-3).all(), mixed.table
    reverse = ncvx.run(PYTHON_DATA, overrides=["measurement={name: gaussian_sensing, m: 120}"])
    assert (reverse.summary.final_test_error < 1e-3).all(), reverse.table
    # The corruption moves the squared loss's fit away from X*.
    spiked = ncvx.run(PYTHON_DATA, overrides=["corruptions=[{name: py_spikes, fraction: 0.1}]"])
    assert set(spiked.summary.status) == {"budget"}
    assert (spiked.summary.final_test_error > 1e-3).all(), spiked.table


def test_python_data_components_with_wrong_shapes_fail_their_runs_with_the_expected_shape():
    @ncvx.register
    class Wrong:
        kind = "problem"
        name = "py_wrong_shape"

        def describe(self):
            return {"rows": 6, "cols": 6, "symmetric": True}

        def sample(self, seed):
            return {"ground_truth": np.eye(5)}

    @ncvx.register
    class ShortForward(DenseSensing):
        kind = "measurement"
        name = "py_short_forward"

        def sample(self, shape, observed, seed):
            operator = super().sample(shape, observed, seed)
            operator.forward = lambda X: np.zeros(3)
            return operator

    wrong = ncvx.run(PYTHON_DATA, overrides=["problem={name: py_wrong_shape}"])
    assert set(wrong.summary.status) == {"failed"}
    assert "must be 6 x 6; it is 5 x 5" in wrong.summary.message[0]
    short = ncvx.run(PYTHON_DATA, overrides=["measurement={name: py_short_forward}"])
    assert set(short.summary.status) == {"failed"}
    assert "forward's result must have 120 entries; it has 3" in short.summary.message[0]
    with pytest.raises(ValueError, match="needs a method corrupt"):
        @ncvx.register
        class NoCorrupt:
            kind = "corruption"


def test_an_objective_negative_by_nature_is_not_diverged():
    @ncvx.register
    class Shifted:
        """the squared loss minus 10 per measurement: negative near the fit, as a log-likelihood can be"""
        kind = "loss"
        name = "py_shifted_squared"

        def evaluate(self, residual):
            return float(np.sum(residual ** 2) / 4 - 10 * len(residual)), residual / 2

    ran = ncvx.run(SMALL, overrides=["loss=py_shifted_squared"])
    assert set(ran.summary.status) == {"budget"}, ran.summary.message
    assert (ran.summary.final_train_loss < 0).all()
    plain = ncvx.run(SMALL)
    assert np.allclose(ran.summary.final_test_error, plain.summary.final_test_error, rtol=1e-9, atol=0)
