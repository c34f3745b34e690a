#pragma once
// The run loop the core owns, for every optimizer:
//
//   U_0 = initializer(A, y, width)                log iteration 0
//   for t = 0, 1, ..., iterations - 1:
//     optimizer.step(f, U, t)                     U_{t+1}
//     if U_{t+1} is not finite:                   diverged, stop
//     if t+1 is a logged iteration (every log_every, and the last):
//       evaluate metrics; diverged if f > divergence_factor * max(f(U_0), f(0));
//       converged if a configured tolerance is met
//
// Until both are found, every iteration also checks the phase boundaries
// (alignment and fit, diagnostics.hpp: O(n k r), small next to a pass over A).
//
// A run that diverges or whose plugin throws is recorded with that status
// and message; the other runs of the sweep go on. Runs execute on a pool of
// threads, each run on one thread with its own streams and buffers, and are
// reported in run-id order, so results do not depend on the thread count.
// Runs sharing a large instance may advance in lockstep (RunOptions::lockstep),
// which changes the speed, never the numbers.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ncvx/experiment.hpp"

namespace ncvx {

class PluginRegistry;

/// How a run ended.
enum class RunStatus {
  converged,  ///< a stopping tolerance (test_error_below / train_loss_below) was met
  budget,     ///< the iteration budget was used up
  diverged,   ///< the iterate or the loss became non-finite or blew up
  failed,     ///< a plugin threw; the message says which and why
};

const char* to_string(RunStatus status);

/// The metrics the core always logs: train_loss, test_error.
const std::vector<std::string>& core_metric_names();

struct RunResult {
  Index id = 0;
  RunStatus status = RunStatus::failed;
  std::string message;
  Index iterations = 0;          // iterations performed
  double wall_seconds = 0.0;
  std::vector<Index> logged_iterations;
  std::vector<std::vector<double>> metrics;  // one row per logged iteration, in column order
  // Convenience: final and best values of the core metrics.
  double final_train_loss = 0.0;
  double final_test_error = 0.0;
  double best_test_error = 0.0;
  Index best_test_error_iteration = 0;
  // Phase boundaries (experiment.hpp, PhaseSettings); -1 when not reached.
  Index alignment_iteration = -1;
  Index fit_iteration = -1;
  Index convergence_iteration = -1;
  /// lambda_r(M), M = A*(y): the r-th largest eigenvalue of the spectral matrix
  /// (NaN when n > 1000, where it is not computed).
  double spectral_lambda_r = 0.0;
  /// ln(10) / ln(1 + mu lambda_r(M)): predicted phase-I iterations per decade of
  /// 1/alpha (NaN when the optimizer has no `step`).
  double predicted_iterations_per_decade = 0.0;
  /// ln(10) / ln(1 + mu sigma_r): the same with the growth rate of phase II,
  /// 1 + mu sigma_r per step (PAPER.md section 4).
  double predicted_iterations_per_decade_sigma_r = 0.0;
};

struct ExperimentResults {
  std::vector<std::string> columns;  // metrics.csv columns after run_id, iteration
  std::vector<RunResult> runs;       // indexed by run id
};

struct RunOptions {
  unsigned threads = 0;  // 0: hardware concurrency
  /// Runs that share an instance and a loss advance in lockstep in groups of
  /// up to this many when the measurement model shares passes and its operator
  /// is large (>= 16 MiB): one pass over A serves the whole group
  /// (lockstep.hpp). Results are bit-identical to running them one by one;
  /// 1 disables it.
  unsigned lockstep = 8;
  /// Called (from worker threads, serialized) when a run finishes.
  std::function<void(const RunSpec&, const RunResult&)> on_run_finished;
};

/// Runs every run of the experiment. Throws Error, before allocating any
/// operator, when one would not fit in the available memory.
ExperimentResults run_experiment(const Experiment& experiment, const PluginRegistry& plugins,
                                 const RunOptions& options = {});

}  // namespace ncvx
