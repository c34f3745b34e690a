#pragma once
// Running an experiment: the runs of a sweep on a pool of threads.
//
// Runs that share an instance (same problem, corruptions, measurement and
// seed) share one ProblemInstance, built by the first run that needs it and
// released with the last. Each run follows the core's loop (run_loop.hpp) on
// one thread with its own streams and buffers; results are reported in
// run-id order, so they do not depend on the thread count. Runs sharing a
// large instance may advance in lockstep (RunOptions::lockstep), which
// changes the speed, never the numbers. A run that diverges or whose plugin
// throws is recorded with that status and message; the other runs go on.

#include <atomic>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ncvx/study/experiment.hpp"

namespace ncvx {

class PluginRegistry;

/// How a run ended.
enum class RunStatus {
  converged,  ///< a stop rule (run.stop, test_error_below, train_loss_below) was met
  budget,     ///< the iteration budget was used up
  diverged,   ///< the iterate or the loss became non-finite or blew up
  failed,     ///< a plugin threw; the message says which and why
};

const char* to_string(RunStatus status);

struct RunResult {
  Index id = 0;
  RunStatus status = RunStatus::failed;
  std::string message;
  Index iterations = 0;          // iterations performed
  double wall_seconds = 0.0;
  std::vector<Index> logged_iterations;
  std::vector<std::vector<double>> metrics;  // one row per logged iteration, Experiment::columns order
  /// Seconds spent in the optimizer's steps (its objective evaluations
  /// included, metrics and logging excluded) up to each logged iteration: the
  /// time axis, kept apart from the deterministic metrics (seconds.csv).
  std::vector<double> logged_seconds;
  // From the logged rows, for the experiment's error column (run.error);
  // NaN (or -1) when there is no logged value, and for a run that diverged or
  // failed: its numbers never count (the rows it logged stay in metrics.csv).
  double final_train_loss = std::nan("");
  double final_error = std::nan("");
  double best_error = std::nan("");
  Index best_error_iteration = -1;
  /// First logged t with error <= (1 + run.convergence_within) * best; -1 if none.
  Index convergence_iteration = -1;
  /// With a validation set: the logged t of the lowest validation_rmse (an
  /// improvement counts when larger than run.min_delta), and the error
  /// (run.error) of that iterate; what early stopping keeps.
  Index chosen_iteration = -1;
  double chosen_error = std::nan("");
  /// Experiment::summary_columns, from the metrics (NaN: not reached or not computed).
  std::vector<double> summary;

  /// Whether the run's final numbers count (it converged or used its budget).
  bool counts() const { return status == RunStatus::converged || status == RunStatus::budget; }
  /// Sets every summary number to NaN (-1 for iterations): for a run that does not count.
  void discard_numbers();
};

struct ExperimentResults {
  std::vector<std::string> columns;  // metrics.csv columns after run_id, iteration
  std::vector<RunResult> runs;       // indexed by run id (when kept; see RunOptions)
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
  /// Called (serialized) when a run starts, after its instance is built.
  std::function<void(const RunSpec&)> on_run_started;
  /// Called (serialized) about once a second while a run steps, with the
  /// iterations it has done (an isolated worker reports them to its parent).
  std::function<void(const RunSpec&, Index iterations)> on_run_progress;
  /// Only the runs for which this returns true (every run when empty): what a
  /// resumed sweep, a shard or an MPI rank still has to do.
  std::function<bool(std::size_t id)> include;
  /// Keep every RunResult in the returned ExperimentResults (the API and the
  /// tests). false: results only go to on_run_finished, and memory holds the
  /// runs in flight, not the sweep (`ncvx run` streams them to its journal).
  bool keep_results = true;
  /// When set and true, no further run starts (those in flight finish): how
  /// Ctrl-C stops a sweep between runs.
  const std::atomic<bool>* stop = nullptr;
};

/// Runs every run of the experiment. Throws Error, before allocating any
/// operator, when one would not fit in the available memory.
ExperimentResults run_experiment(const Experiment& experiment, const PluginRegistry& plugins,
                                 const RunOptions& options = {});

}  // namespace ncvx
