"""ncvx from Python: run experiments, get their results as data frames, use
ncvx's components step by step, and write components in Python.

    import ncvx
    results = ncvx.run("configs/quickstart.yaml", overrides=["run.iterations=300"])
    results.summary            # pandas DataFrame (numpy record array without pandas)
    results.metrics            # one row per run and logged iteration
    print(results.table)       # the comparison table `ncvx run` prints

See docs/python.md.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import os
import pathlib
import sys
import tempfile
from typing import Any, Iterable, Mapping, Sequence

from . import _paths


def _wrong_interpreter(what: str) -> ImportError:
    """The sentence for an interpreter this build cannot serve (a pyenv or venv python3 first on PATH)."""
    wanted = getattr(_paths, "interpreter", "the python3 it was built with")
    version = ".".join(map(str, getattr(_paths, "version", ())))
    return ImportError(
        f"ncvx was built for {wanted}" + (f" (Python {version})" if version else "") +
        f"; this is {sys.executable} (Python {sys.version.split()[0]}), which {what}. Run it with "
        f"{wanted}, or build ncvx for this interpreter (cmake -DPython_EXECUTABLE={sys.executable})")


try:
    from . import _ncvx
except ImportError as _error:
    raise _wrong_interpreter(f"cannot load its compiled module ({_error})") from _error
try:
    import numpy as _numpy  # the compiled module hands numpy arrays out
except ImportError as _error:
    raise _wrong_interpreter("has no numpy") from _error
from ._ncvx import (ConfigError, Error, Instance, Initializer, Loss, Objective, Operator, Optimizer,
                    PluginError)

__version__ = _ncvx.__version__
__all__ = ["run", "load", "Results", "plugins", "describe", "check", "instance", "loss", "objective",
           "initializer", "optimizer", "register", "resolve", "Error", "ConfigError", "PluginError"]

# The plugin folders: --plugin-dir's equivalent (NCVX_PLUGIN_PATH is read by
# the core), then those of this build or installation.
_ncvx._initialize([folder for folder in _paths.plugin_folders() if os.path.isdir(folder)])


# ---------------------------------------------------------------- configurations

def _config_args(config) -> tuple[str, bool, str]:
    """(text or path, is_path, source name) for a YAML path, YAML text or a dict."""
    if isinstance(config, Mapping):
        # YAML is a superset of JSON: a dict written as JSON is a valid configuration.
        return json.dumps(config, indent=1), False, "<dict>"
    if isinstance(config, pathlib.PurePath):
        return str(config), True, str(config)
    if isinstance(config, str):
        if "\n" not in config and config.strip().endswith((".yaml", ".yml")):
            return config, True, config
        return config, False, "<string>"
    raise TypeError("config is a YAML file path, a YAML string or a dict")


def _overrides(overrides) -> list[str]:
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        return [f"{key}={json.dumps(value) if not isinstance(value, str) else value}"
                for key, value in overrides.items()]
    return list(overrides)


def resolve(config, overrides=None) -> str:
    """The configuration as ncvx reads it, every default written out (YAML)."""
    text, is_path, source = _config_args(config)
    return _ncvx.resolve(text, is_path, source, _overrides(overrides))


# ---------------------------------------------------------------- results

def _read_table(path: pathlib.Path):
    """A CSV file as a pandas DataFrame, or a numpy record array without pandas.
    Numbers are parsed exactly (round trip)."""
    try:
        import pandas
    except ImportError:
        pandas = None
    if pandas is not None:
        return pandas.read_csv(path, float_precision="round_trip", keep_default_na=True)
    import numpy
    with open(path, newline="") as stream:
        rows = list(csv.reader(stream))
    header, body = rows[0], rows[1:]
    columns = []
    for c, name in enumerate(header):
        values = [row[c] if c < len(row) else "" for row in body]
        try:
            columns.append(numpy.array([float(v) if v != "" else numpy.nan for v in values]))
        except ValueError:
            columns.append(numpy.array(values, dtype=object))
    return numpy.rec.fromarrays(columns, names=[h.replace(".", "_") for h in header]) if body else \
        numpy.rec.fromarrays([[] for _ in header], names=[h.replace(".", "_") for h in header])


class Results:
    """What a run produced: `summary` (one row per run), `metrics` (one row per
    run and logged iteration), `tidy` (the metrics with each run's method,
    swept values and seed on every row), `timing`, `seconds` (the time axis:
    the seconds spent in the optimizer's steps up to each logged iteration,
    one row per metrics row), the comparison `table`, the
    resolved configuration (`config`, YAML text), the results `folder` (None
    when the run was not asked to keep one) and `complete` (False for a shard
    or an unfinished sweep read by `load`: the runs with a record)."""

    def __init__(self, name: str, table: str, config: str, folder: pathlib.Path, keep: bool,
                 files: pathlib.Path | None = None, complete: bool = True):
        files = files or folder
        self.name = name
        self.table = table
        self.config = config
        self.summary = _read_table(files / "summary.csv")
        self.metrics = _read_table(files / "metrics.csv")
        self.tidy = _read_table(files / "tidy.csv")
        self.timing = _read_table(files / "timing.csv")
        seconds = files / "seconds.csv"  # absent from folders written before ncvx 0.3
        self.seconds = _read_table(seconds) if seconds.exists() else None
        self.folder = folder if keep else None
        self.complete = complete

    def __repr__(self) -> str:
        where = f", folder={str(self.folder)!r}" if self.folder else ""
        return f"<ncvx.Results {self.name!r}: {len(self.summary)} runs{where}>"

    def _repr_html_(self) -> str:  # notebooks
        import html
        return f"<pre>{html.escape(self.name)}\n{html.escape(self.table)}</pre>"


def run(config, overrides=None, out=None, threads: int = 0, lockstep: int = 8, resume: bool = False,
        progress=None) -> Results:
    """Runs an experiment, as `ncvx run` does, and returns its Results.

    config     a YAML file path, a YAML string, or a dict with the same keys
    overrides  ["run.iterations=300", ...] or {"run.iterations": 300, ...}
    out        the results folder to write (kept); None: a temporary one, removed
    threads    worker threads (0: every core); results never depend on it
    resume     continue the sweep of `out` (same configuration): only the runs
               without a record run, as `ncvx run --resume`
    progress   called with a dict as the sweep starts and as each run starts
               and finishes: done, total, running, failed, elapsed and eta
               (seconds; None while unknown) and, for a finished run, run_id,
               method, seed, status and final_error. An exception it raises
               stops the sweep (the runs in flight finish, the folder stays
               resumable) and is raised by run.

    Ctrl-C stops the sweep between runs and raises KeyboardInterrupt, keeping
    the folder (a temporary one too) and saying how to resume it.
    """
    text, is_path, source = _config_args(config)
    keep = out is not None
    if resume and not keep:
        raise ValueError("resume=True continues the folder given as out=; there is none")
    folder = pathlib.Path(out) if keep else pathlib.Path(tempfile.mkdtemp(prefix="ncvx-"))
    interrupted = False
    try:
        if progress is not None and not callable(progress):
            raise TypeError("progress is a function of one argument (a dict), or None")
        outcome = _ncvx.run(text, is_path, source, _overrides(overrides), str(folder), threads, lockstep,
                            [sys.executable, "-c", "ncvx.run(...)"], resume, progress)
        return Results(outcome["name"], outcome["table"], outcome["resolved"], folder, keep)
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        if not keep and not interrupted:
            import shutil
            shutil.rmtree(folder, ignore_errors=True)


def load(folder) -> Results:
    """The Results of an earlier run, read back from its folder: the same data
    frames and table as `run` returned. A shard's folder, or a sweep still
    running or interrupted, gives the runs its journal holds (`complete` is
    then False)."""
    folder = pathlib.Path(folder)
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="ncvx-load-"))
    try:
        info = _ncvx.load(str(folder), str(scratch))
        return Results(info["name"], info["table"], info["resolved"], folder, True,
                       files=pathlib.Path(info["csv_folder"]), complete=info["complete"])
    finally:
        import shutil
        shutil.rmtree(scratch, ignore_errors=True)


# ---------------------------------------------------------------- plugins

def plugins() -> list[dict]:
    """Every plugin found (and registered): kind, name, version, file, summary, parameters."""
    return _ncvx.plugins()


def describe(name: str, kind: str = "") -> dict:
    """A plugin's description and parameters (type, default, range, description)."""
    return _ncvx.describe(name, kind)


class CheckResult:
    """The conformance checks of a plugin: `passed`, `checks` (one dict each), `table`."""

    def __init__(self, passed: bool, checks: list, table: str):
        self.passed, self.checks, self.table = passed, checks, table

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.table


def _assignments(parameters: Mapping[str, Any]) -> list[str]:
    return [f"{key}={value if isinstance(value, str) else json.dumps(value)}" for key, value in parameters.items()]


def check(name: str, kind: str = "", **parameters) -> CheckResult:
    """Runs the conformance kit on a plugin (`ncvx check NAME key=value`)."""
    passed, checks, table = _ncvx.check(name, kind, _assignments(parameters))
    return CheckResult(passed, checks, table)


# ---------------------------------------------------------------- components

def instance(config, overrides=None, run: int = 0) -> Instance:
    """The problem instance of one run of an experiment: `measurement` (an
    Operator), `observations`, `ground_truth` and `test_error(factors)`."""
    text, is_path, source = _config_args(config)
    return _ncvx.instance(text, is_path, source, _overrides(overrides), run)


def loss(name: str, **parameters) -> Loss:
    """A loss plugin: `evaluate(residual)` gives (value, derivative)."""
    return _ncvx.create_loss(name, _assignments(parameters))


def objective(measurement: Operator, loss: Loss, observations) -> Objective:
    """f(F) = sum_i l(A(X(F)) - y)_i with `value`, `value_and_gradient` (factors
    [U] or [U, V]), `value_and_gradient_matrix(X)` and `scale()`."""
    return Objective(measurement, loss, observations)


def initializer(name: str, **parameters) -> Initializer:
    """An initializer plugin: `initialize(A, y, rows, cols, width, symmetric, seed)`."""
    return _ncvx.create_initializer(name, _assignments(parameters))


def optimizer(name: str, **parameters) -> Optimizer:
    """An optimizer plugin: `step(objective, factors, iteration)` returns the next factors."""
    return _ncvx.create_optimizer(name, _assignments(parameters))


# ---------------------------------------------------------------- components written in Python

_TYPES = {float: "real", int: "integer", bool: "boolean", str: "text", list: "real_list"}
# The methods each kind of Python component implements (docs/python.md).
_KINDS = {"problem": ("describe", "sample"), "measurement": ("sample",), "corruption": ("corrupt",),
          "loss": ("evaluate",), "initializer": ("initialize",), "optimizer": ("step",), "metric": ("evaluate",)}


def _parameters_of(cls) -> list[tuple]:
    """`parameters = {"step": 0.1, "decay": (0.99, "q of mu_t")}` -> (name, type, default, description)."""
    declared = getattr(cls, "parameters", {}) or {}
    result = []
    for name, spec in declared.items():
        default, description = spec if isinstance(spec, tuple) else (spec, "")
        kind = _TYPES.get(type(default))
        if kind is None:
            raise TypeError(f"parameter {name!r} of {cls.__qualname__}: the default must be a float, int, bool, "
                            f"str or list of floats, not {type(default).__name__}")
        if kind == "real_list":
            default = [float(v) for v in default]
        result.append((name, kind, default, description))
    return result


def register(cls=None, *, kind: str | None = None, name: str | None = None):
    """Makes a Python class a plugin that configurations name like any other.

        @ncvx.register
        class MyGD:
            kind = "optimizer"                   # problem | measurement | corruption | loss | initializer |
                                                 # optimizer | metric
            name = "my_gd"                       # default: the class name in lower case
            parameters = {"step": 0.1}           # name -> default (or (default, description))
            def __init__(self, step): self.step = step
            def step(self, objective, factors, iteration):
                value, gradient = objective.value_and_gradient(factors)
                return [F - self.step * G for F, G in zip(factors, gradient)]

    The methods each kind implements are in docs/python.md. Python components
    run one at a time (the GIL) while C++ plugins run in parallel.
    """
    def apply(target):
        chosen_kind = kind or getattr(target, "kind", None)
        if chosen_kind not in _KINDS:
            raise ValueError(f"{target.__qualname__}: set kind to one of {', '.join(_KINDS)}")
        for method in _KINDS[chosen_kind]:
            if not callable(getattr(target, method, None)):
                raise ValueError(f"{target.__qualname__}: a {chosen_kind} needs a method {method}() (docs/python.md)")
        chosen_name = name or getattr(target, "name", None) or target.__name__.lower()
        summary = (inspect.getdoc(target) or target.__qualname__).strip().splitlines()[0]
        origin = f"python: {target.__module__}.{target.__qualname__}"
        _ncvx.register(chosen_kind, chosen_name, summary, __version__, _parameters_of(target), target, origin)
        return target

    return apply(cls) if cls is not None else apply
