#pragma once
// One run, the loop the core owns for every method:
//
//   instance  = the problem's data, A, y (build_instance, shared by the runs
//               of the same problem, corruptions, measurement and seed)
//   initialize  F_0 = initializer(A, y, shape)            log iteration 0
//   for t = 0, 1, ..., iterations - 1:
//     step      optimizer.step(f, F, t)                   F_{t+1}
//               F_{t+1} not finite: diverged, stop
//     observe   metrics that watch every iteration
//     log       at t+1 = every log_every, and the last: train_loss, test_error,
//               heldout_rmse, the metrics' columns
//     stop      diverged if f > divergence_factor * max(f(F_0), f(0));
//               converged when a stop rule holds
//   summarize   final/best error, convergence iteration, the metrics' summary
//
// Nothing in it is specific to a problem or a method: the error columns come
// from the instance, the diagnostics from metric plugins.

#include <functional>
#include <memory>

#include "ncvx/study/experiment.hpp"
#include "ncvx/problem_instance.hpp"
#include "ncvx/study/runner.hpp"

namespace ncvx {

class Lockstep;
class PluginRegistry;

/// Builds the instance of `run`: the problem's data drawn from (seed,
/// "ground_truth"), A from (seed, "measurement"), y = A(X*) (or A of the
/// observed entries), the problem's noise from (seed, "noise") and each
/// corruption i from (seed, "corruption.i").
std::shared_ptr<const ProblemInstance> build_instance(const RunSpec& run, const Experiment& experiment,
                                                      const PluginRegistry& plugins);

/// Called with the iterations done, about once a second while a run steps.
using ProgressReport = std::function<void(Index iterations)>;

/// Runs `run` on `instance` and fills `result` (status, rows, summary). With a
/// lockstep, every evaluation of the objective goes through it. Throws what
/// a plugin throws (PluginError naming it); the caller records the failure.
void execute_run(const RunSpec& run, const Experiment& experiment, const ProblemInstance& instance,
                 const PluginRegistry& plugins, Lockstep* lockstep, RunResult& result,
                 const ProgressReport& progress = {});

}  // namespace ncvx
