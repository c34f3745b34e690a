// The compiled half of the Python module `ncvx` (pybind11): the plugin
// registry, runs through the same sweep code as `ncvx run`, components
// created by name for step-by-step use, and components written in Python
// registered as in-process plugins (problems, measurement models and
// corruptions in data_components.cpp). The Python half (ncvx/__init__.py) turns
// results into data frames and gives the friendly signatures.
//
// Threads and the GIL: every call into C++ that may run long (a run, an
// operator product, a step) releases the GIL; C++ code that calls a Python
// component takes it back for the call. So C++ plugins run in parallel and
// Python components run one at a time.

#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cmath>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include <ncvx/conformance.hpp>
#include <ncvx/errors.hpp>
#include <ncvx/study/experiment.hpp>
#include <ncvx/study/interrupt.hpp>
#include <ncvx/study/output.hpp>
#include <ncvx/study/results_view.hpp>
#include <ncvx/plugin_registry.hpp>
#include <ncvx/problem_instance.hpp>
#include <ncvx/study/run_loop.hpp>
#include <ncvx/study/sweep.hpp>
#include <ncvx/version.hpp>

#include "python_components.hpp"

namespace py = pybind11;
namespace fs = std::filesystem;
using namespace ncvx;
using namespace ncvx::python;

namespace {

// ---------------------------------------------------------------- registry

/// The module's registry: scanned once at import (`_initialize`), then
/// extended by `register`. Never destroyed: in-process plugins hold Python
/// objects that must not be released after the interpreter is gone.
PluginRegistry& registry() {
  static PluginRegistry* instance = new PluginRegistry;
  return *instance;
}
bool initialized = false;

void initialize(const std::vector<std::string>& folders) {
  if (initialized) return;
  std::vector<fs::path> paths(folders.begin(), folders.end());
  registry().scan(PluginRegistry::search_path(paths));
  initialized = true;
}

PluginKind kind_of(const std::string& text) {
  for (PluginKind kind : {PluginKind::problem, PluginKind::corruption, PluginKind::measurement, PluginKind::loss,
                          PluginKind::initializer, PluginKind::optimizer, PluginKind::metric,
                          PluginKind::factorization})
    if (text == to_string(kind)) return kind;
  throw Error(fmt::format("'{}' is not a plugin kind (problem, corruption, measurement, loss, initializer, "
                          "optimizer, metric, factorization).",
                          text));
}

/// The plugin called `name` (of `kind` when given, else the only one of that name).
const LoadedPlugin& plugin_named(const std::string& name, const std::string& kind) {
  if (!kind.empty()) return registry().find(kind_of(kind), name);
  if (const LoadedPlugin* plugin = registry().find_any_kind(name)) return *plugin;
  // The registry's own message lists what exists.
  return registry().find(PluginKind::optimizer, name);
}

py::object value_to_python(const ParameterValue& value) {
  return std::visit([](const auto& v) -> py::object { return py::cast(v); }, value);
}

py::dict info_dict(const LoadedPlugin& plugin) {
  py::dict info;
  info["kind"] = to_string(plugin.info().kind);
  info["name"] = plugin.info().name;
  info["version"] = plugin.info().version;
  info["file"] = plugin.file().string();
  info["summary"] = plugin.info().summary;
  info["abi_version"] = plugin.abi().abi_version;
  py::list parameters;
  for (const auto& spec : plugin.info().parameters) {
    py::dict parameter;
    parameter["name"] = spec.name;
    parameter["type"] = to_string(spec.type);
    parameter["default"] = value_to_python(spec.default_value);
    parameter["range"] = spec.constraint();
    parameter["description"] = spec.description;
    if (!spec.choices.empty()) parameter["choices"] = spec.choices;
    parameters.append(parameter);
  }
  info["parameters"] = parameters;
  return info;
}

// ---------------------------------------------------------------- factors

FactorSet to_factors(const std::vector<Matrix>& parts) {
  if (parts.size() == 1) return FactorSet(parts[0]);
  if (parts.size() == 2) {
    if (parts[0].cols() != parts[1].cols())
      throw Error(fmt::format("U and V must have the same number of columns (got {} and {}).", parts[0].cols(),
                              parts[1].cols()));
    return FactorSet(parts[0], parts[1]);
  }
  throw Error("factors are a list [U] (X = U U^T) or [U, V] (X = U V^T).");
}

std::vector<Matrix> from_factors(const FactorSet& factors) {
  std::vector<Matrix> parts;
  for (std::size_t i = 0; i < factors.size(); ++i) parts.push_back(factors[i]);
  return parts;
}

// ---------------------------------------------------------------- shapes

// Every array handed to a component is checked against the shape it must
// have before any C++ reads it: a mistake raises ValueError naming the
// expected shape, never reads outside an array.

[[noreturn]] void wrong_value(const std::string& message) { throw py::value_error(message); }

void check_matrix(const Matrix& M, Index rows, Index cols, const char* what) {
  if (M.rows() != rows || M.cols() != cols)
    wrong_value(fmt::format("{} must be {} x {}; it is {} x {}", what, rows, cols, M.rows(), M.cols()));
}

void check_vector(const Vector& v, Index size, const char* what) {
  if (v.size() != size) wrong_value(fmt::format("{} must have {} entries; it has {}", what, size, v.size()));
}

/// Another factorization's blocks (deep, cp), each of the size `shape` lists.
FactorSet blocks_for(const std::vector<Matrix>& parts, const FactorShape& shape) {
  if (parts.size() != shape.blocks.size())
    wrong_value(fmt::format("this method's factorization has {} blocks; {} were given", shape.blocks.size(),
                            parts.size()));
  for (std::size_t i = 0; i < parts.size(); ++i)
    check_matrix(parts[i], shape.blocks[i].rows, shape.blocks[i].cols, fmt::format("block {}", i + 1).c_str());
  return FactorSet(shape, parts);
}

/// Factors [U] (X = U U^T) or [U, V] (X = U V^T) of at least one column for
/// matrices of `shape`.
FactorSet factors_for(const std::vector<Matrix>& parts, const MatrixShape& shape) {
  if (parts.empty() || parts.size() > 2) wrong_value("factors are a list [U] (X = U U^T) or [U, V] (X = U V^T)");
  const Index width = parts[0].cols();
  if (width < 1) wrong_value("the factors need at least one column");
  if (parts.size() == 1 && shape.rows != shape.cols)
    wrong_value(fmt::format("[U] means X = U U^T, which is square; these matrices are {}: give [U, V]",
                            shape.describe()));
  check_matrix(parts[0], shape.rows, width, "U");
  if (parts.size() == 2) check_matrix(parts[1], shape.cols, width, "V (as many columns as U)");
  return to_factors(parts);
}

/// A C++ object lent to Python for the length of one call (an operator to
/// initialize, an objective to step): Python may keep the handle, but using
/// it after the call raises instead of reaching freed memory.
class Lease {
 public:
  Lease() : valid_(std::make_shared<bool>(true)) {}
  void end() { *valid_ = false; }
  std::shared_ptr<const bool> token() const { return valid_; }

 private:
  std::shared_ptr<bool> valid_;
};

void check_lease(const std::shared_ptr<const bool>& token, const char* what) {
  if (token && !*token)
    throw std::runtime_error(fmt::format("this {} was lent for one call that has returned; it cannot be used "
                                         "after it (copy what you need during the call)",
                                         what));
}

// ---------------------------------------------------------------- configurations

/// An experiment from a file path or YAML text, with overrides.
Experiment experiment_of(const std::string& config, bool is_path, const std::string& source,
                         const std::vector<std::string>& overrides) {
  if (is_path) return load_experiment(config, overrides, registry());
  ConfigNode root = parse_config_text(config, {source, 0, 0, ""});
  for (const auto& assignment : overrides) apply_override(root, assignment);
  Experiment experiment = make_experiment(std::move(root), source, registry());
  experiment.overrides = overrides;
  return experiment;
}

// ---------------------------------------------------------------- components

/// A measurement operator shared with whoever made it (an instance, a model),
/// or lent for one call (`lease` then ends with the call).
struct Operator {
  std::shared_ptr<const MeasurementOperator> measurement;
  std::shared_ptr<const bool> lease;

  const MeasurementOperator& get() const {
    check_lease(lease, "operator");
    return *measurement;
  }
};

struct Instance {
  std::shared_ptr<const ProblemInstance> instance;
};

struct LossObject {
  std::shared_ptr<Loss> loss;
  std::string name;
};

/// An objective that owns what it refers to.
struct ObjectiveObject {
  std::shared_ptr<const MeasurementOperator> measurement;
  std::shared_ptr<Loss> loss;
  std::shared_ptr<const Vector> observations;
  std::shared_ptr<Objective> objective;

  ObjectiveObject(std::shared_ptr<const MeasurementOperator> m, std::shared_ptr<Loss> l, Vector y)
      : measurement(std::move(m)), loss(std::move(l)), observations(std::make_shared<const Vector>(std::move(y))) {
    if (observations->size() != measurement->measurements())
      throw Error(fmt::format("the observations have {} entries; the operator makes {}.", observations->size(),
                              measurement->measurements()));
    objective = std::make_shared<Objective>(*measurement, *loss, *observations);
  }
  const Objective* get() const { return objective.get(); }
};

/// A view of an objective the core lends a Python optimizer for one step.
struct ObjectiveView {
  const Objective* objective_pointer;
  std::shared_ptr<const bool> lease;
  FactorShape shape;  // the run's factors: a general shape lists another factorization's blocks

  const Objective* get() const {
    check_lease(lease, "objective");
    return objective_pointer;
  }
};

struct InitializerObject {
  std::shared_ptr<Initializer> initializer;
};

struct OptimizerObject {
  std::shared_ptr<Optimizer> optimizer;
};

ParameterValues values_for(const LoadedPlugin& plugin, const std::vector<std::string>& assignments) {
  return parse_parameter_assignments(plugin.info(), assignments);
}

// ---------------------------------------------------------------- components written in Python

std::vector<Matrix> factor_list(const py::handle& value, const char* what) {
  std::vector<Matrix> parts;
  for (const auto& item : value.cast<py::sequence>()) parts.push_back(matrix_from(item, what));
  return parts;
}

class PythonLoss final : public Loss {
 public:
  explicit PythonLoss(py::object object) : object_(std::move(object)) {}
  double evaluate(ConstVectorView residual, VectorView derivative) const override {
    return with_python([&] {
      const Vector r = residual;
      const py::tuple result = object_.get().attr("evaluate")(r);
      const Vector d = result[1].cast<Vector>();
      if (d.size() != residual.size())
        throw std::runtime_error(fmt::format("evaluate returned a derivative of size {} for a residual of size {}",
                                             d.size(), residual.size()));
      derivative = d;
      return result[0].cast<double>();
    });
  }

 private:
  PythonObject object_;
};

class PythonOptimizer final : public Optimizer {
 public:
  explicit PythonOptimizer(py::object object) : object_(std::move(object)) {}
  void step(const Objective& objective, FactorSet& factors, Index iteration) override {
    with_python([&] {
      Lease lease;  // the view works for this call only
      const struct EndLease {
        Lease& lease;
        ~EndLease() { lease.end(); }
      } end{lease};
      const py::object result =
          object_.get().attr("step")(ObjectiveView{&objective, lease.token(), factors.shape()}, from_factors(factors),
                                     iteration);
      const std::vector<Matrix> parts = factor_list(result, "a factor returned by step");
      FactorSet next = factors.general() ? blocks_for(parts, factors.shape()) : to_factors(parts);
      if (next.shape() != factors.shape())
        throw std::runtime_error("step returned factors of another shape than it was given");
      factors = std::move(next);
      return 0;
    });
  }
  std::string refuses(const FactorShape& shape) const override {
    return with_python([&]() -> std::string {
      if (!py::hasattr(object_.get(), "refuses")) return "";
      const py::object why = object_.get().attr("refuses")(shape.rows, shape.cols, shape.width, shape.symmetric);
      return why.is_none() ? std::string() : why.cast<std::string>();
    });
  }

 private:
  PythonObject object_;
};

class PythonInitializer final : public Initializer {
 public:
  explicit PythonInitializer(py::object object) : object_(std::move(object)) {}
  FactorSet initialize(const InitializationData& data, const FactorShape& shape, RandomStream& random) const override {
    // A seed for numpy drawn from the run's stream: deterministic per (seed, "init").
    const auto seed = static_cast<std::uint64_t>(random.uniform() * 0x1.0p53);
    return with_python([&] {
      Lease lease;  // the operator works for this call only
      const struct EndLease {
        Lease& lease;
        ~EndLease() { lease.end(); }
      } end{lease};
      const Operator view{std::shared_ptr<const MeasurementOperator>(&data.measurement, [](const auto*) {}),
                          lease.token()};
      py::dict shape_dict;
      shape_dict["rows"] = shape.rows;
      shape_dict["cols"] = shape.cols;
      shape_dict["width"] = shape.width;
      shape_dict["symmetric"] = shape.symmetric;
      const py::object result = object_.get().attr("initialize")(view, data.observations, shape_dict, seed);
      return to_factors(factor_list(result, "a factor returned by initialize"));
    });
  }

 private:
  PythonObject object_;
};

class PythonMetric final : public Metric {
 public:
  explicit PythonMetric(py::object object) : object_(std::move(object)) {
    with_python([&] {
      columns_ = object_.get().attr("columns").cast<std::vector<std::string>>();
      if (py::hasattr(object_.get(), "summary_columns"))
        summary_columns_ = object_.get().attr("summary_columns").cast<std::vector<std::string>>();
      return 0;
    });
  }
  std::vector<std::string> columns() const override { return columns_; }
  std::vector<std::string> summary_columns() const override { return summary_columns_; }
  void evaluate(const MetricContext& context, double* values) override {
    write("evaluate", context, values, columns_.size());
  }
  void summarize(const MetricContext& context, double* values) override {
    if (!summary_columns_.empty())
      write("summarize", context, values, summary_columns_.size());
  }

 private:
  /// Calls the Python method `what` (with the GIL) on a context dict and writes its values.
  void write(const char* what, const MetricContext& context, double* values, std::size_t count) const {
    const double error = context.instance.has_ground_truth() ? context.instance.test_error(context.factors)
                                                             : std::nan("");
    with_python([&] {
      py::dict c;
      c["factors"] = from_factors(context.factors);
      c["initial_factors"] = from_factors(context.initial_factors);
      c["iteration"] = context.iteration;
      c["step"] = context.step;
      c["test_error"] = error;
      const auto result = object_.get().attr(what)(c).cast<std::vector<double>>();
      if (result.size() != count)
        throw std::runtime_error(fmt::format("{} returned {} values for {} columns", what, result.size(), count));
      std::copy(result.begin(), result.end(), values);
      return 0;
    });
  }

  PythonObject object_;
  std::vector<std::string> columns_, summary_columns_;
};

/// `parameters`: (name, type, default, description) with type real, integer,
/// boolean, text, choice (default first of `choices`) or real_list.
std::vector<ParameterSpec> specs_from(const std::vector<py::tuple>& parameters) {
  std::vector<ParameterSpec> specs;
  for (const auto& item : parameters) {
    const auto name = item[0].cast<std::string>();
    const auto type = item[1].cast<std::string>();
    const auto description = item[3].cast<std::string>();
    if (type == "real") specs.push_back(ParameterSpec::real(name, item[2].cast<double>(), description));
    else if (type == "integer") specs.push_back(ParameterSpec::integer(name, item[2].cast<std::int64_t>(), description));
    else if (type == "boolean") specs.push_back(ParameterSpec::boolean(name, item[2].cast<bool>(), description));
    else if (type == "text") specs.push_back(ParameterSpec::text(name, item[2].cast<std::string>(), description));
    else if (type == "real_list")
      specs.push_back(ParameterSpec::real_list(name, item[2].cast<std::vector<double>>(), description));
    else throw Error(fmt::format("parameter `{}`: type '{}' is not one of real, integer, boolean, text, real_list.",
                                 name, type));
  }
  return specs;
}

/// ParameterValues as Python keyword arguments.
py::dict keywords(const ParameterValues& values) {
  py::dict kwargs;
  for (const auto& [name, value] : values.all()) kwargs[py::str(name)] = value_to_python(value);
  return kwargs;
}

void register_component(const std::string& kind_text, const std::string& name, const std::string& summary,
                        const std::string& version, const std::vector<py::tuple>& parameters, py::object factory,
                        const std::string& origin) {
  InProcessPlugin plugin;
  plugin.info.kind = kind_of(kind_text);
  plugin.info.name = name;
  plugin.info.summary = summary;
  plugin.info.version = version;
  plugin.info.parameters = specs_from(parameters);
  plugin.origin = origin;
  auto shared_factory = std::make_shared<PythonObject>(std::move(factory));
  auto make = [shared_factory](const ParameterValues& values) {
    return with_python([&] { return shared_factory->get()(**keywords(values)); });
  };
  switch (plugin.info.kind) {
    case PluginKind::loss:
      plugin.create_loss = [make](const ParameterValues& v) { return std::make_unique<PythonLoss>(make(v)); };
      break;
    case PluginKind::optimizer:
      plugin.create_optimizer = [make](const ParameterValues& v) { return std::make_unique<PythonOptimizer>(make(v)); };
      break;
    case PluginKind::initializer:
      plugin.create_initializer = [make](const ParameterValues& v) {
        return std::make_unique<PythonInitializer>(make(v));
      };
      break;
    case PluginKind::metric:
      plugin.create_metric = [make](const ParameterValues& v) { return std::make_unique<PythonMetric>(make(v)); };
      break;
    default:
      add_data_factory(plugin, make);  // a problem, a measurement model or a corruption
      break;
  }
  registry().add(std::move(plugin));
}

/// value, value_and_gradient and scale, for the owning Objective and the view
/// a Python optimizer is lent (both hold `objective`, a pointer-like member).
/// The factors handed to an objective's methods: the blocks of the run's
/// factorization for a lent view of a general one, else [U] or [U, V].
template <class Self>
FactorSet factors_of(const Self& f, const std::vector<Matrix>& parts) {
  if constexpr (std::is_same_v<Self, ObjectiveView>)
    if (f.shape.general()) return blocks_for(parts, f.shape);
  return factors_for(parts, f.get()->measurement().shape());
}

template <class Class>
void add_objective_methods(Class& target) {
  using Self = typename Class::type;
  target
      .def("value", [](const Self& f, const std::vector<Matrix>& factors) {
             const Objective& objective = *f.get();
             const FactorSet F = factors_of(f, factors);
             py::gil_scoped_release release;
             return objective.value(F);
           }, py::arg("factors"), "f(F) for factors [U] or [U, V]")
      .def("value_and_gradient", [](const Self& f, const std::vector<Matrix>& factors) {
             const Objective& objective = *f.get();
             const FactorSet F = factors_of(f, factors);
             FactorSet gradient;
             double value;
             {
               py::gil_scoped_release release;
               value = objective.value_and_gradient(F, gradient);
             }
             return py::make_tuple(value, from_factors(gradient));
           }, py::arg("factors"), "(f(F), [grad_U f, grad_V f])")
      .def("value_and_gradient_matrix", [](const Self& f, const Matrix& X) {
             const Objective& objective = *f.get();
             const MatrixShape shape = objective.measurement().shape();
             check_matrix(X, shape.rows, shape.cols, "X");
             Matrix gradient;
             double value;
             {
               py::gil_scoped_release release;
               value = objective.value_and_gradient_matrix(X, gradient);
             }
             return py::make_tuple(value, gradient);
           }, py::arg("X"), "(f(X), grad_X f) at a dense X")
      .def("scale", [](const Self& f) { return f.get()->scale(); }, "sigma_1(A*(y))")
      .def_property_readonly("evaluations", [](const Self& f) { return f.get()->evaluations(); });
}

}  // namespace

PYBIND11_MODULE(_ncvx, m) {
  m.doc() = "ncvx: non-convex low-rank matrix reconstruction (the compiled half; use `import ncvx`)";
  m.attr("__version__") = NCVX_VERSION_STRING;

  static py::exception<Error> error(m, "Error");
  static py::exception<ConfigError> config_error(m, "ConfigError", error.ptr());
  static py::exception<PluginError> plugin_error(m, "PluginError", error.ptr());
  py::register_exception_translator([](std::exception_ptr pointer) {
    try {
      if (pointer) std::rethrow_exception(pointer);
    } catch (const ConfigError& e) {
      PyErr_SetString(config_error.ptr(), e.what());
    } catch (const PluginError& e) {
      PyErr_SetString(plugin_error.ptr(), e.what());
    } catch (const Error& e) {
      PyErr_SetString(error.ptr(), e.what());
    }
  });

  m.def("_initialize", &initialize, py::arg("folders"));

  m.def("plugins", [] {
    py::list list;
    for (const LoadedPlugin* plugin : registry().plugins()) list.append(info_dict(*plugin));
    return list;
  });
  m.def("failures", [] {
    py::list list;
    for (const auto& failure : registry().failures()) list.append(py::make_tuple(failure.file.string(), failure.reason));
    return list;
  });
  m.def("folders", [] {
    std::vector<std::string> folders;
    for (const auto& folder : registry().folders()) folders.push_back(folder.string());
    return folders;
  });
  m.def("describe", [](const std::string& name, const std::string& kind) { return info_dict(plugin_named(name, kind)); },
        py::arg("name"), py::arg("kind") = "");
  m.def("check",
        [](const std::string& name, const std::string& kind, const std::vector<std::string>& assignments) {
          const LoadedPlugin& plugin = plugin_named(name, kind);
          const ParameterValues values = values_for(plugin, assignments);
          std::vector<ConformanceCheck> checks;
          {
            py::gil_scoped_release release;
            checks = check_plugin(plugin, values);
          }
          py::list rows;
          for (const auto& check : checks) {
            py::dict row;
            row["check"] = check.name;
            row["result"] = check.outcome == CheckOutcome::passed   ? "pass"
                            : check.outcome == CheckOutcome::failed ? "FAIL"
                                                                    : "skip";
            row["measured"] = check.measured;
            row["tolerance"] = check.tolerance;
            row["detail"] = check.detail;
            rows.append(row);
          }
          return py::make_tuple(all_passed(checks), rows, conformance_table(checks));
        },
        py::arg("name"), py::arg("kind") = "", py::arg("assignments") = std::vector<std::string>{});

  m.def("resolve",
        [](const std::string& config, bool is_path, const std::string& source, const std::vector<std::string>& overrides) {
          return resolved_configuration(experiment_of(config, is_path, source, overrides));
        });

  m.def("run",
        [](const std::string& config, bool is_path, const std::string& source, const std::vector<std::string>& overrides,
           const std::string& directory, unsigned threads, unsigned lockstep, const std::vector<std::string>& argv,
           bool resume, const py::object& progress) {
          const Experiment experiment = experiment_of(config, is_path, source, overrides);
          SweepOptions options;
          options.directory = directory;
          options.resume = resume;
          options.threads = threads;
          options.lockstep = std::max(1u, lockstep);
          options.plugin_dirs = registry().folders();
          options.command_line = argv;
          SweepOutcome outcome;
          // Ctrl-C stops the sweep between runs (Python cannot see it while the GIL is released).
          StopOnInterrupt interrupt("\nncvx: stopping, the runs in flight finish (Ctrl-C again to end Python at once)\n");
          options.stop = interrupt.flag();
          // The progress callback, with the GIL, serialized by the sweep; an exception it raises
          // stops the sweep like Ctrl-C and is raised again once the runs in flight are done.
          std::optional<py::error_already_set> raised;
          if (!progress.is_none())
            options.progress = [&](const SweepProgress& state) {
              py::gil_scoped_acquire acquire;
              if (raised) return;
              try {
                py::dict report;
                report["done"] = state.done;
                report["total"] = state.total;
                report["running"] = state.running;
                report["failed"] = state.failed;
                report["elapsed"] = state.elapsed;
                report["eta"] = state.eta >= 0 ? py::object(py::float_(state.eta)) : py::object(py::none());
                if (state.run && state.result) {
                  report["run_id"] = state.run->id;
                  report["method"] = state.run->method.label;
                  report["seed"] = state.run->seed;
                  report["status"] = to_string(state.result->status);
                  report["final_error"] = state.result->final_error;
                }
                progress(report);
              } catch (py::error_already_set& error) {
                raised.emplace(std::move(error));
                interrupt.request_stop();
              }
            };
          {
            py::gil_scoped_release release;
            outcome = run_sweep(experiment, registry(), options);
          }
          if (raised) {
            raised->restore();
            throw py::error_already_set();
          }
          if (outcome.interrupted) {
            PyErr_SetString(PyExc_KeyboardInterrupt,
                            fmt::format("ncvx.run was interrupted: {} of {} runs have a record in {}; continue with "
                                        "ncvx.run(..., out='{}', resume=True)",
                                        outcome.table.size(), experiment.run_count(), directory, directory)
                                .c_str());
            throw py::error_already_set();
          }
          py::dict result;
          result["name"] = experiment.name;
          result["table"] = comparison_table(experiment, outcome.table);
          result["resolved"] = resolved_configuration(experiment);
          result["runs"] = experiment.run_count();
          result["notes"] = outcome.notes;
          return result;
        });

  m.def("load", [](const std::string& folder, const std::string& scratch) {
    FolderView view = [&] {
      py::gil_scoped_release release;
      return view_folder(folder, registry());
    }();
    const bool assembled = view.complete && fs::exists(fs::path(folder) / "summary.csv");
    if (!assembled) {
      py::gil_scoped_release release;
      write_view_files(folder, view, scratch);
    }
    py::dict result;
    result["name"] = view.experiment.name;
    result["table"] = comparison_table(view.experiment, view.table);
    result["resolved"] = resolved_configuration(view.experiment);
    result["runs"] = view.experiment.run_count();
    result["recorded"] = view.table.size();
    result["complete"] = view.complete;
    result["notes"] = view.notes;
    result["csv_folder"] = assembled ? folder : scratch;
    return result;
  }, py::arg("folder"), py::arg("scratch"));

  m.def("register", &register_component, py::arg("kind"), py::arg("name"), py::arg("summary"), py::arg("version"),
        py::arg("parameters"), py::arg("factory"), py::arg("origin"));

  py::class_<Operator>(m, "Operator", "a measurement operator A (matrix-free)")
      .def_property_readonly("rows", [](const Operator& o) { return o.get().rows(); })
      .def_property_readonly("cols", [](const Operator& o) { return o.get().cols(); })
      .def_property_readonly("measurements", [](const Operator& o) { return o.get().measurements(); })
      .def_property_readonly("symmetric", [](const Operator& o) { return o.get().symmetric(); })
      .def("forward", [](const Operator& o, const Matrix& X) {
             const MeasurementOperator& A = o.get();
             check_matrix(X, A.rows(), A.cols(), "X");
             Vector out;
             py::gil_scoped_release release;
             A.forward(X, out);
             return out;
           }, py::arg("X"), "A(X) for a dense n1 x n2 X")
      .def("forward_factored", [](const Operator& o, const std::vector<Matrix>& factors) {
             const MeasurementOperator& A = o.get();
             const FactorSet F = factors_for(factors, A.shape());
             Vector out;
             py::gil_scoped_release release;
             A.forward_factored(F, out);
             return out;
           }, py::arg("factors"), "A(U U^T) for [U], A(U V^T) for [U, V]")
      .def("adjoint", [](const Operator& o, const Vector& v) {
             const MeasurementOperator& A = o.get();
             check_vector(v, A.measurements(), "v (one entry per measurement)");
             py::gil_scoped_release release;
             return A.adjoint(v);
           }, py::arg("v"), "A*(v) as a dense n1 x n2 matrix")
      .def("adjoint_apply", [](const Operator& o, const Vector& v, const Matrix& M) {
             const MeasurementOperator& A = o.get();
             check_vector(v, A.measurements(), "v (one entry per measurement)");
             if (M.cols() < 1) wrong_value("M needs at least one column");
             check_matrix(M, A.cols(), M.cols(), "M (n2 rows)");
             Matrix out;
             py::gil_scoped_release release;
             A.adjoint_apply(v, M, out);
             return out;
           }, py::arg("v"), py::arg("M"), "A*(v) M for an n2 x k block M")
      .def("adjoint_transpose_apply", [](const Operator& o, const Vector& v, const Matrix& M) {
             const MeasurementOperator& A = o.get();
             check_vector(v, A.measurements(), "v (one entry per measurement)");
             if (M.cols() < 1) wrong_value("M needs at least one column");
             check_matrix(M, A.rows(), M.cols(), "M (n1 rows)");
             Matrix out;
             py::gil_scoped_release release;
             A.adjoint_transpose_apply(v, M, out);
             return out;
           }, py::arg("v"), py::arg("M"), "A*(v)^T M for an n1 x k block M");

  py::class_<Instance>(m, "Instance", "a problem instance: X* (when known), A, y")
      .def_property_readonly("measurement", [](const Instance& i) {
        return Operator{std::shared_ptr<const MeasurementOperator>(i.instance, &i.instance->measurement()), nullptr};
      })
      .def_property_readonly("observations", [](const Instance& i) { return i.instance->observations(); })
      .def_property_readonly("rows", [](const Instance& i) { return i.instance->shape().rows; })
      .def_property_readonly("cols", [](const Instance& i) { return i.instance->shape().cols; })
      .def_property_readonly("symmetric", [](const Instance& i) { return i.instance->shape().symmetric; })
      .def_property_readonly("has_ground_truth", [](const Instance& i) { return i.instance->has_ground_truth(); })
      .def_property_readonly("ground_truth", [](const Instance& i) {
             if (!i.instance->has_ground_truth()) throw py::attribute_error("this problem has no ground truth");
             return i.instance->ground_truth().dense();
           }, "X* as a dense matrix (small problems)")
      .def_property_readonly("ground_truth_factors", [](const Instance& i) {
             if (!i.instance->has_ground_truth()) throw py::attribute_error("this problem has no ground truth");
             return from_factors(i.instance->ground_truth().factors());
           })
      .def_property_readonly("singular_values", [](const Instance& i) {
             if (!i.instance->has_ground_truth()) throw py::attribute_error("this problem has no ground truth");
             return i.instance->ground_truth().values();
           })
      .def("test_error", [](const Instance& i, const std::vector<Matrix>& factors) {
             if (!i.instance->has_ground_truth()) wrong_value("this problem has no ground truth to test against");
             return i.instance->test_error(factors_for(factors, i.instance->shape()));
           }, py::arg("factors"))
      .def("heldout_rmse", [](const Instance& i, const std::vector<Matrix>& factors) {
             return i.instance->heldout_rmse(factors_for(factors, i.instance->shape()));
           }, py::arg("factors"));

  m.def("instance",
        [](const std::string& config, bool is_path, const std::string& source, const std::vector<std::string>& overrides,
           std::size_t run) {
          const Experiment experiment = experiment_of(config, is_path, source, overrides);
          if (run >= experiment.run_count())
            throw Error(fmt::format("run {} does not exist; the experiment has {} runs.", run, experiment.run_count()));
          py::gil_scoped_release release;
          return Instance{build_instance(experiment.run(run), experiment, registry())};
        });

  py::class_<LossObject>(m, "Loss", "a loss l on residuals")
      .def_readonly("name", &LossObject::name)
      .def("evaluate", [](const LossObject& l, const Vector& residual, std::optional<Vector> observations) {
             Vector derivative(residual.size());
             // A loss of the residual alone ignores y; a likelihood needs it (zeros when not given).
             const Vector y = observations ? *observations : Vector::Zero(residual.size());
             check_vector(y, residual.size(), "the observations (one per residual)");
             const double value = l.loss->evaluate_observed(residual, y, derivative);
             return py::make_tuple(value, derivative);
           }, py::arg("residual"), py::arg("observations") = py::none(),
           "(sum_i l(z_i; y_i), dl/dz) for r = z - y and y (y = 0 when not given)");
  m.def("create_loss", [](const std::string& name, const std::vector<std::string>& assignments) {
    const LoadedPlugin& plugin = registry().find(PluginKind::loss, name);
    return LossObject{plugin.create_loss(values_for(plugin, assignments)), name};
  });

  auto objective_class = py::class_<ObjectiveObject>(m, "Objective",
                                                     "f(F) = sum_i l((A(X(F)) - y)_i), composed by the core")
      .def(py::init([](const Operator& o, const LossObject& l, const Vector& y) {
             o.get();  // refuses an operator whose lease ended
             check_vector(y, o.measurement->measurements(), "the observations (one per measurement)");
             return ObjectiveObject(o.measurement, l.loss, y);
           }), py::arg("measurement"), py::arg("loss"), py::arg("observations"));
  auto view_class =
      py::class_<ObjectiveView>(m, "ObjectiveView", "the objective of the run a Python optimizer is stepping");
  add_objective_methods(objective_class);
  add_objective_methods(view_class);

  py::class_<InitializerObject>(m, "Initializer", "an initializer: F_0 from A and y")
      .def("initialize", [](const InitializerObject& i, const Operator& o, const Vector& y, Index rows, Index cols,
                            Index width, bool symmetric, std::uint64_t seed) {
             const MeasurementOperator& A = o.get();
             check_vector(y, A.measurements(), "y (one entry per measurement)");
             if (rows != A.rows() || cols != A.cols())
               wrong_value(fmt::format("rows x cols must be the operator's {} x {}; they are {} x {}", A.rows(),
                                       A.cols(), rows, cols));
             if (width < 1) wrong_value(fmt::format("width must be at least 1; it is {}", width));
             if (symmetric && rows != cols)
               wrong_value(fmt::format("symmetric factors (X = U U^T) need square matrices; these are {} x {}", rows,
                                       cols));
             RandomStream random(seed, "init");
             FactorSet F;
             {
               py::gil_scoped_release release;
               F = i.initializer->initialize(InitializationData{A, y}, {rows, cols, width, symmetric}, random);
             }
             return from_factors(F);
           });
  m.def("create_initializer", [](const std::string& name, const std::vector<std::string>& assignments) {
    const LoadedPlugin& plugin = registry().find(PluginKind::initializer, name);
    return InitializerObject{plugin.create_initializer(values_for(plugin, assignments))};
  });

  py::class_<OptimizerObject>(m, "Optimizer", "an optimizer: F_t -> F_{t+1} (keeps its state between steps)")
      .def("step", [](const OptimizerObject& o, const ObjectiveObject& f, const std::vector<Matrix>& factors,
                      Index iteration) {
             if (iteration < 0) wrong_value(fmt::format("iteration counts from 0; it is {}", iteration));
             FactorSet F = factors_for(factors, f.measurement->shape());
             const FactorShape shape = F.shape();
             {
               py::gil_scoped_release release;
               o.optimizer->step(*f.objective, F, iteration);
             }
             if (F.shape() != shape) throw std::runtime_error("the optimizer changed the factors' shape");
             return from_factors(F);
           })
      .def("refuses", [](const OptimizerObject& o, Index rows, Index cols, Index width, bool symmetric) {
        return o.optimizer->refuses({rows, cols, width, symmetric});
      });
  m.def("create_optimizer", [](const std::string& name, const std::vector<std::string>& assignments) {
    const LoadedPlugin& plugin = registry().find(PluginKind::optimizer, name);
    return OptimizerObject{plugin.create_optimizer(values_for(plugin, assignments))};
  });
}
