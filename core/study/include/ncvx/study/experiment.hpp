#pragma once
// An experiment: the validated content of one YAML file, expanded into the
// list of runs it asks for.
//
//   name: quickstart
//   problem:     {name: low_rank_psd, n: 40, rank: 2, condition_number: 2}
//   corruptions: [{name: outliers, fraction: 0.1}]     # applied to y in order
//   measurement: {name: gaussian_sensing, m: 800}
//   loss: squared                                      # default loss of the methods
//   methods:
//     - {label: small_random, init: {name: small_random, scale: [1e-3, 1e-5]},
//        optimizer: {name: gd, step: 0.1}, width: 40}
//     - {label: spectral, init: spectral, optimizer: {name: gd, step: 0.1}, width: 2,
//        loss: l1, factorization: asymmetric,          # per-method loss, X = U V^T
//        iterations: 300, stop: {test_error: 1e-8}}    # its own budget and stop rules
//   metrics: [signal_noise, phases]                    # extra columns (metrics.csv, summary.csv)
//   run: {iterations: 1000, log_every: 10, seeds: [1, 2, 3], error: test_error,
//         stop: {gradient_norm: 1e-12}}
//   sweep: {zip: [[problem.n, measurement.m]]}
//   figures: [...]                                     # plot.hpp
//
// Sweeps. A list where a single value is expected is a sweep axis (a
// real-list parameter, such as the singular values of a problem, is swept by
// a list of lists). Axes vary as a cartesian product, except those named
// together in a `zip` group, which advance together (equal lengths). An axis
// inside a method sweeps that method only. Every run is repeated for each
// seed; runs with the same problem, corruptions, measurement and seed share
// one instance (X*, A, y), so methods are compared on identical data.
//
// Errors. `run.error` names the metrics.csv column the comparison table, the
// best/convergence columns and the default figures use: test_error when the
// problem has a ground truth, else heldout_rmse when it has a held-out set,
// else train_loss.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ncvx/study/config_tree.hpp"
#include "ncvx/parameters.hpp"
#include "ncvx/study/plot.hpp"
#include "ncvx/plugin.hpp"

namespace ncvx {

class PluginRegistry;

/// A plugin chosen by name with complete parameter values.
struct ComponentChoice {
  PluginKind kind = PluginKind::loss;
  std::string name;
  ParameterValues values;

  /// "name k=v k=v" (parameters in name order): equal choices give equal keys.
  std::string key() const;
};

/// Stop a run as converged at the first logged iteration where `column` <= `threshold`.
struct StopRule {
  std::string column;
  double threshold = 0.0;
};

struct MethodSpec {
  std::string label;
  ComponentChoice initializer;
  ComponentChoice optimizer;
  ComponentChoice loss;           ///< the method's `loss`, or the experiment's
  Index width = 1;
  /// The factorization plugin (uu, uv, deep, cp, ...) with its parameters;
  /// `factorization: auto | symmetric | asymmetric` name uu or uv.
  ComponentChoice factorization;
  /// X = U U^T (uu); false: any other.
  bool symmetric_factorization() const { return factorization.name == "uu"; }
  /// The method's own budget and stop rules, in place of run.iterations,
  /// run.max_seconds and run.stop (a 30-iteration AltMin beside a 3000-iteration GD).
  std::optional<Index> iterations;
  std::optional<double> max_seconds;
  std::optional<std::vector<StopRule>> stop;
  /// Where the iterations run: `cpu`, or `cuda` (a device backend:
  /// device_backend.hpp), and the device's arithmetic: `double`, or `single`
  /// (the operator, the factors and the sums in float).
  std::string backend = "cpu";
  std::string precision = "double";
  bool on_device() const { return backend != "cpu"; }
};

struct RunSettings {
  Index iterations = 1000;
  Index log_every = 10;
  double divergence_factor = 1e6;    // diverged when f(U) > factor * max(f(U_0), f(0)) (negative: max + factor |max|)
  double convergence_within = 0.1;   // convergence_iteration: error <= (1 + this) * best
  bool plot = false;                 // draw the figures at the end of `ncvx run`
  double max_seconds = 0.0;          // a run stops as failed ("timeout") after this long (0: never)
  /// A run succeeds when it counts and its final error (run.error) is at most
  /// this; 0: no success column.
  double success_below = 0.0;
  /// run.stop, with run.test_error_below and run.train_loss_below folded in.
  std::vector<StopRule> stop;
  /// Early stopping on validation_rmse: stop (converged) once it has not
  /// fallen by more than min_delta below its best for `patience` logged
  /// iterations (0: never).
  Index patience = 0;
  double min_delta = 0.0;

  static std::vector<ParameterSpec> parameters();
};

/// One swept value of a run: the axis name as it appears in summary.csv
/// ("problem.n", "init.scale", "width") and the value as written.
struct SweptValue {
  std::string axis;
  std::string value;
};

/// One distinct problem of an experiment: the choice, the plugin's object
/// (created once at load, so a file problem reads and checks its file before
/// any run) and its description.
struct ProblemChoice {
  ComponentChoice choice;
  std::shared_ptr<const Problem> model;
  ProblemDescription description;
  /// problem.validation: the fraction of a data problem's observed entries
  /// held out from the fit and scored as validation_rmse (0: none).
  double validation = 0.0;
};

/// The seeds every point of the sweep runs: listed (`run.seeds`) or counted
/// (`run.seed`, `run.repetitions`: seed, seed + 1, ...), never expanded.
class SeedList {
 public:
  SeedList() = default;
  static SeedList listed(std::vector<std::uint64_t> seeds);
  static SeedList counted(std::uint64_t first, std::uint64_t count);

  std::size_t size() const { return listed_ ? seeds_.size() : count_; }
  std::uint64_t operator[](std::size_t i) const { return listed_ ? seeds_[i] : first_ + i; }
  bool is_listed() const { return listed_; }
  const std::vector<std::uint64_t>& values() const { return seeds_; }  ///< when listed
  std::uint64_t first() const { return first_; }                      ///< when counted

 private:
  bool listed_ = true;
  std::vector<std::uint64_t> seeds_;
  std::uint64_t first_ = 0, count_ = 0;
};

/// One run: fully resolved, no lists left.
struct RunSpec {
  Index id = 0;
  std::uint64_t seed = 0;
  std::size_t problem = 0;                  ///< index into Experiment::problems
  std::vector<ComponentChoice> corruptions;
  ComponentChoice measurement;
  MethodSpec method;
  RunSettings settings;
  std::vector<SweptValue> swept;
  /// Runs with equal keys share one problem instance.
  std::string instance_key;
};

/// One point of the global sweep: everything a run needs but its seed, and the
/// methods (with their own sweep points) that run there.
struct SweepPoint {
  std::size_t problem = 0;  ///< index into Experiment::problems
  std::vector<ComponentChoice> corruptions;
  ComponentChoice measurement;
  RunSettings settings;
  std::string instance_key;  ///< without the seed
  struct Method {
    MethodSpec spec;
    std::vector<SweptValue> swept;  ///< the global axes' values, then the method's
  };
  std::vector<Method> methods;  ///< method by method, each method's own points in order
};

/// The most runs one experiment may expand to, and the most sweep points
/// (global points x method points) it may validate when loaded; a
/// configuration above either is refused when loaded, before anything is
/// allocated for its runs. Seeds multiply the runs without adding points.
inline constexpr std::size_t kMaxRuns = 10'000'000;
inline constexpr std::size_t kMaxSweepPoints = 100'000;

struct Experiment {
  std::string name;
  std::string source;                  // the YAML file
  std::vector<std::string> overrides;  // as given on the command line
  std::vector<std::string> axes;       // swept axis names, in column order
  std::vector<std::string> method_labels;
  SeedList seeds;
  std::vector<ProblemChoice> problems;
  /// The sweep; runs are enumerated from it on demand (run(id)), in the order
  /// point, seed, method, method point.
  std::vector<SweepPoint> points;
  /// The first run id of each point, and the run count at the end.
  std::vector<std::size_t> point_starts;
  std::vector<ComponentChoice> metrics;  // extra metric plugins, in column order
  /// metrics.csv columns after run_id and iteration: train_loss, then
  /// test_error and heldout_rmse where some problem has them, then the metrics'.
  std::vector<std::string> columns;
  /// summary.csv columns contributed by the metrics.
  std::vector<std::string> summary_columns;
  /// The column the table, best_* and convergence_iteration use (run.error).
  std::string error;
  /// summary.csv has a `success` column and the table a success rate (some
  /// point sets run.success_below).
  bool success_column = false;
  /// Some problem holds out a validation set: metrics.csv has validation_rmse
  /// and summary.csv the iteration the validation chose and its error.
  bool validation = false;
  std::vector<FigureSpec> figures;
  /// How the comparison table shows a column's spread over seeds (run.table):
  /// quartiles (median [q1, q3], the default), range (median [min, max]) or
  /// mean (mean ± sd). Not written into the resolved configuration when left
  /// out: it changes what a table shows, never a result.
  std::string table = "quartiles";
  ConfigNode resolved;                 // the tree with overrides and defaults

  const ProblemChoice& problem_of(const RunSpec& run) const { return problems[run.problem]; }
  /// The number of runs: sum over points of seeds x method points.
  std::size_t run_count() const;
  /// Run `id` (0 <= id < run_count()), built on demand.
  RunSpec run(std::size_t id) const;
  /// Position of a metrics.csv column (after run_id, iteration), or -1.
  int column(const std::string& name) const;
};

/// Reads, overrides, validates and expands. Throws ConfigError at the
/// location of the first problem found.
Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides,
                           const PluginRegistry& plugins);

/// A plugin's parameters from `key=value` assignments (values are YAML; a
/// relative path is relative to the working directory), the others at their
/// defaults (`ncvx check NAME key=value`). Throws ConfigError naming a bad one.
ParameterValues parse_parameter_assignments(const PluginInfo& plugin, const std::vector<std::string>& assignments);

/// Same from an already loaded tree (tests).
Experiment make_experiment(ConfigNode root, const std::string& source,
                           const PluginRegistry& plugins);

}  // namespace ncvx
