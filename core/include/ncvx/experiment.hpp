#pragma once
// An experiment: the validated content of one YAML file, expanded into the
// list of runs it asks for.
//
//   name: quickstart
//   problem:     {n: 40, rank: 2, condition_number: 2, spectrum: linear, noise: 0}
//   measurement: {name: gaussian_sensing, m: 800}
//   loss: squared
//   methods:
//     - {label: small_random, init: {name: small_random, scale: [1e-3, 1e-5]},
//        optimizer: {name: gd, step: 0.1}, width: 40}
//     - {label: spectral, init: spectral, optimizer: {name: gd, step: 0.1}, width: 2}
//   metrics: [signal_noise, effective_rank]          # extra columns of metrics.csv
//   phases: {alignment_below: 0.1}                    # phase thresholds
//   run: {iterations: 1000, log_every: 10, seeds: [1, 2, 3], plot: true}
//   sweep: {zip: [[problem.n, measurement.m]]}
//   figures: [...]                                    # plot.hpp
//
// Sweeps. A list where a single value is expected is a sweep axis. Axes
// vary as a cartesian product, except those named together in a `zip` group,
// which advance together (equal lengths). An axis inside a method sweeps that
// method only. Every run is repeated for each seed; runs with the same
// problem and measurement values and the same seed share one instance
// (X*, A, y), so methods are compared on identical data.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ncvx/config_tree.hpp"
#include "ncvx/parameters.hpp"
#include "ncvx/plot.hpp"
#include "ncvx/plugin.hpp"
#include "ncvx/problem.hpp"

namespace ncvx {

class PluginRegistry;

/// A plugin chosen by name with complete parameter values.
struct ComponentChoice {
  PluginKind kind = PluginKind::loss;
  std::string name;
  ParameterValues values;
};

struct MethodSpec {
  std::string label;
  ComponentChoice initializer;
  ComponentChoice optimizer;
  Index width = 1;
};

struct RunSettings {
  Index iterations = 1000;
  Index log_every = 10;
  double test_error_below = 0.0;   // stop (converged) when test error <= this; 0: off
  double train_loss_below = 0.0;   // stop (converged) when f(U) <= this; 0: off
  double divergence_factor = 1e6;  // diverged when f(U) > factor * max(f(U_0), f(0))
  bool plot = false;               // draw the figures at the end of `ncvx run`

  static std::vector<ParameterSpec> parameters();
};

/// Thresholds of the phase boundaries reported in summary.csv (PAPER.md §4-5):
///   alignment_iteration    first t with alignment(U_t) <= alignment_below   (end of phase I)
///   fit_iteration          first t with sigma_min(V_X^T U_t)^2 >= fit_fraction * sigma_r
///                                                                            (end of phase II)
///   convergence_iteration  first logged t with test_error <= (1 + convergence_within) * best
struct PhaseSettings {
  double alignment_below = 0.1;
  double fit_fraction = 0.5;
  double convergence_within = 0.1;

  static std::vector<ParameterSpec> parameters();
};

/// One swept value of a run: the axis name as it appears in summary.csv
/// ("problem.n", "init.scale", "width") and the value as written.
struct SweptValue {
  std::string axis;
  std::string value;
};

/// One run: fully resolved, no lists left.
struct RunSpec {
  Index id = 0;
  std::uint64_t seed = 0;
  ProblemSpec problem;
  ComponentChoice measurement;
  ComponentChoice loss;
  MethodSpec method;
  RunSettings settings;
  std::vector<SweptValue> swept;
  /// Runs with equal keys share one problem instance.
  std::string instance_key;
};

struct Experiment {
  std::string name;
  std::string source;                  // the YAML file
  std::vector<std::string> overrides;  // as given on the command line
  std::vector<std::string> axes;       // swept axis names, in column order
  std::vector<std::string> method_labels;
  std::vector<std::uint64_t> seeds;
  std::vector<RunSpec> runs;
  std::vector<ComponentChoice> metrics;  // extra metric plugins, in column order
  PhaseSettings phases;
  std::vector<FigureSpec> figures;
  ConfigNode resolved;                 // the tree with overrides and defaults
};

/// Reads, overrides, validates and expands. Throws ConfigError at the
/// location of the first problem found.
Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides,
                           const PluginRegistry& plugins);

/// Same from an already loaded tree (tests).
Experiment make_experiment(ConfigNode root, const std::string& source,
                           const PluginRegistry& plugins);

}  // namespace ncvx
