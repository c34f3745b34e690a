#pragma once
// Shared helpers for the test suite: the registry of the plugins this build
// produced (loaded for real, from their shared libraries) and small
// generators.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <doctest/doctest.h>

#include <ncvx/conformance.hpp>
#include <ncvx/study/experiment.hpp>
#include <ncvx/objective.hpp>
#include <ncvx/plugin_registry.hpp>
#include <ncvx/problem_instance.hpp>
#include <ncvx/study/runner.hpp>
#include <ncvx/random_stream.hpp>
#include <ncvx/study/run_loop.hpp>

namespace ncvx::test {

/// The plugins built with this tree (NCVX_TEST_PLUGIN_DIR), scanned once.
inline const PluginRegistry& plugins() {
  static const auto registry = [] {
    auto r = std::make_unique<PluginRegistry>();
    r->scan({NCVX_TEST_PLUGIN_DIR});
    return r;
  }();
  return *registry;
}

/// Run options with `threads` workers and lockstep groups of `lockstep`.
inline RunOptions options(unsigned threads, unsigned lockstep = 8) {
  RunOptions result;
  result.threads = threads;
  result.lockstep = lockstep;
  return result;
}

/// Parameter values: the plugin's defaults with `changes` applied.
inline ParameterValues values_for(PluginKind kind, const std::string& name,
                                  const std::map<std::string, ParameterValue>& changes = {}) {
  ParameterValues values = ParameterValues::defaults(plugins().find(kind, name).info().parameters);
  for (const auto& [key, value] : changes) values.set(key, value);
  return values;
}

/// An operator of the model `name` on matrices of `shape`, from (seed, "measurement").
inline std::shared_ptr<const MeasurementOperator> sample_operator(
    const std::string& name, const MatrixShape& shape, std::uint64_t seed,
    const std::map<std::string, ParameterValue>& changes = {}) {
  const LoadedPlugin& plugin = plugins().find(PluginKind::measurement, name);
  const auto model = plugin.create_measurement(values_for(PluginKind::measurement, name, changes));
  RandomStream random(seed, "measurement");
  return plugin.hold(model->sample(MeasurementSetting{shape, nullptr}, random));
}

/// The same on symmetric n x n matrices.
inline std::shared_ptr<const MeasurementOperator> sample_operator(
    const std::string& name, Index n, std::uint64_t seed,
    const std::map<std::string, ParameterValue>& changes = {}) {
  return sample_operator(name, MatrixShape::square_symmetric(n), seed, changes);
}

/// A run's value of a summary column contributed by a metric (phases: fit_iteration, ...).
inline double summary_value(const Experiment& experiment, const RunResult& result, const std::string& column) {
  const auto& columns = experiment.summary_columns;
  const auto it = std::find(columns.begin(), columns.end(), column);
  if (it == columns.end()) throw std::logic_error("no summary column " + column);
  return result.summary[static_cast<std::size_t>(it - columns.begin())];
}

/// Every run of an experiment, enumerated.
inline std::vector<RunSpec> runs_of(const Experiment& experiment) {
  std::vector<RunSpec> runs;
  for (std::size_t i = 0; i < experiment.run_count(); ++i) runs.push_back(experiment.run(i));
  return runs;
}

/// An experiment from YAML text (file name "test.yaml").
inline Experiment experiment_from(const std::string& text, const PluginRegistry& registry = plugins()) {
  return make_experiment(parse_config_text(text, {"test.yaml", 0, 0, ""}), "test.yaml", registry);
}

/// The instance of the first run of an experiment given as YAML text: the
/// core's own path (problem plugin, measurement, observations, corruptions).
inline std::shared_ptr<const ProblemInstance> instance_from(const std::string& text) {
  const Experiment experiment = experiment_from(text);
  return build_instance(experiment.run(0), experiment, plugins());
}

/// An initializer's factors for a shape, from (seed, "init").
inline FactorSet initialize(const std::string& name, const InitializationData& data, const FactorShape& shape,
                            std::uint64_t seed, const std::map<std::string, ParameterValue>& changes = {}) {
  const auto init = plugins().find(PluginKind::initializer, name).create_initializer(
      values_for(PluginKind::initializer, name, changes));
  RandomStream random(seed, "init");
  return init->initialize(data, shape, random);
}

/// A plugin object of any kind with its defaults and `changes`.
inline std::shared_ptr<Problem> problem(const std::string& name,
                                        const std::map<std::string, ParameterValue>& changes = {}) {
  return plugins().find(PluginKind::problem, name).create_problem(values_for(PluginKind::problem, name, changes));
}
inline std::shared_ptr<Corruption> corruption(const std::string& name,
                                              const std::map<std::string, ParameterValue>& changes = {}) {
  return plugins().find(PluginKind::corruption, name).create_corruption(
      values_for(PluginKind::corruption, name, changes));
}
inline std::shared_ptr<Loss> loss(const std::string& name, const std::map<std::string, ParameterValue>& changes = {}) {
  return plugins().find(PluginKind::loss, name).create_loss(values_for(PluginKind::loss, name, changes));
}
inline std::shared_ptr<Optimizer> optimizer(const std::string& name,
                                            const std::map<std::string, ParameterValue>& changes = {}) {
  return plugins().find(PluginKind::optimizer, name).create_optimizer(values_for(PluginKind::optimizer, name, changes));
}

/// The conformance suite of a plugin (with `changes`) passes.
inline bool conforms(PluginKind kind, const std::string& name, const std::map<std::string, ParameterValue>& changes = {}) {
  return all_passed(check_plugin(plugins().find(kind, name), values_for(kind, name, changes)));
}

/// A problem plugin's data for a seed, drawn as the core does (seed, "ground_truth").
inline ProblemData sample_problem(const Problem& problem, std::uint64_t seed) {
  RandomStream random(seed, "ground_truth");
  return problem.sample(random);
}

/// A small symmetric sensing instance (low_rank_psd n x n, rank 2, Gaussian m = 1000, seed 1)
/// for tests of metrics and optimizers.
inline std::shared_ptr<const ProblemInstance> sensing_instance(Index n) {
  return instance_from("problem: {n: " + std::to_string(n) + "}\nmeasurement: {name: gaussian_sensing, m: 1000}\n"
                       "methods: [{init: small_random, optimizer: gd, width: 2}]\nrun: {seeds: [1]}\n");
}

/// A problem parameter of a run (problem.n, ...).
inline const ParameterValue& problem_value(const Experiment& experiment, const RunSpec& run,
                                           const std::string& name) {
  return experiment.problem_of(run).choice.values.get(name);
}

inline Matrix random_symmetric(Index n, RandomStream& random) {
  Matrix G(n, n);
  random.fill_normal(G);
  return 0.5 * (G + G.transpose());
}

/// A temporary folder removed at the end of the scope.
class TemporaryFolder {
 public:
  explicit TemporaryFolder(const std::string& tag) {
    path_ = std::filesystem::temp_directory_path() /
            ("ncvx-test-" + tag + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& content) const {
    const auto file = path_ / name;
    std::ofstream(file) << content;
    return file;
  }

 private:
  std::filesystem::path path_;
};

/// An experiment from YAML text and the results of all its runs.
struct Study {
  Experiment experiment;
  ExperimentResults results;

  /// The runs of method `label` whose swept axis `axis` is written `value`
  /// ("" axis: every run of the method).
  std::vector<const RunResult*> runs(const std::string& label, const std::string& axis = "",
                                     const std::string& value = "") const {
    std::vector<const RunResult*> chosen;
    for (const auto& result : results.runs) {
      const RunSpec run = experiment.run(static_cast<std::size_t>(result.id));
      if (run.method.label != label) continue;
      if (!axis.empty()) {
        bool matches = false;
        for (const auto& swept : run.swept)
          matches = matches || (swept.axis == axis && swept.value == value);
        if (!matches) continue;
      }
      chosen.push_back(&result);
    }
    return chosen;
  }
  /// The median over those runs of `value(result)`.
  template <class Value>
  double median(const std::string& label, const std::string& axis, const std::string& value_of_axis,
                Value value) const {
    std::vector<double> values;
    for (const RunResult* result : runs(label, axis, value_of_axis)) values.push_back(value(*result));
    if (values.empty()) throw std::logic_error("no run of " + label + " at " + axis + " = " + value_of_axis);
    std::sort(values.begin(), values.end());
    const std::size_t half = values.size() / 2;
    return values.size() % 2 ? values[half] : 0.5 * (values[half - 1] + values[half]);
  }
  /// A summary column of a run (a metric's, or `success`).
  double summary(const RunResult& result, const std::string& column) const {
    return summary_value(experiment, result, column);
  }
};

inline Study study(const std::string& text, unsigned threads = 2) {
  Study outcome{experiment_from(text), {}};
  outcome.results = run_experiment(outcome.experiment, plugins(), options(threads));
  return outcome;
}

/// The objective L(A(X) - y) of the loss `loss_name` on observations y drawn
/// i.i.d. N(0, variance) from `random` (observations of no particular X): the
/// setting in which an optimizer's single step is checked against its formula.
struct NoiseObjective {
  NoiseObjective(std::shared_ptr<const MeasurementOperator> A, RandomStream& random,
                 const std::string& loss_name = "squared", double variance = 1.0)
      : measurement(std::move(A)), y(draw(measurement->measurements(), random, variance)),
        loss(test::loss(loss_name)), f(*measurement, *loss, y) {}
  NoiseObjective(const NoiseObjective&) = delete;  // f refers to the members
  NoiseObjective& operator=(const NoiseObjective&) = delete;

  std::shared_ptr<const MeasurementOperator> measurement;
  Vector y;
  std::shared_ptr<Loss> loss;
  Objective f;

 private:
  static Vector draw(Index m, RandomStream& random, double variance) {
    Vector y(m);
    random.fill_normal(y, variance);
    return y;
  }
};

/// What an operator's fused `evaluate` must give, from the plain definitions:
/// r = A(X) - y, L(r), and the adjoint products A*(l'(r)) V and A*(l'(r))^T U
/// through the dense adjoint.
struct ReferenceEvaluation {
  double value;
  Vector derivative;
  Matrix left, right;
};

inline ReferenceEvaluation reference_evaluation(const MeasurementOperator& A, const FactorSet& F, const Vector& y,
                                                const Loss& loss) {
  Vector residual;
  A.forward_factored(F, residual);
  residual -= y;
  ReferenceEvaluation reference{0.0, Vector(residual.size()), Matrix(), Matrix()};
  reference.value = loss.evaluate(residual, reference.derivative);
  const Matrix W = A.adjoint(reference.derivative);
  reference.left = W * F.right();
  reference.right = W.transpose() * F.left();
  return reference;
}

/// Checks A.evaluate on F against reference_evaluation, to a relative `tolerance`
/// (fused passes order their sums differently from the dense path).
inline ReferenceEvaluation check_fused_evaluate(const MeasurementOperator& A, const FactorSet& F, const Vector& y,
                                                const Loss& loss, double tolerance = 1e-12) {
  const ReferenceEvaluation reference = reference_evaluation(A, F, y, loss);
  FactorSet products;
  FactorEvaluation item{&F, &products, 0.0};
  A.evaluate(y, loss, std::span<FactorEvaluation>(&item, 1));
  CHECK(item.value == doctest::Approx(reference.value).epsilon(tolerance));
  CHECK((products.left() - reference.left).norm() <= tolerance * reference.left.norm());
  if (!F.symmetric()) CHECK((products.right() - reference.right).norm() <= tolerance * reference.right.norm());
  return reference;
}

}  // namespace ncvx::test
