#include "ncvx/study/runner.hpp"

#include <atomic>
#include <limits>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "ncvx/diagnostics.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/study/lockstep.hpp"
#include "ncvx/memory.hpp"
#include "ncvx/plugin_registry.hpp"
#include "ncvx/study/run_loop.hpp"
#include "work_plan.hpp"

namespace ncvx {

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::converged: return "converged";
    case RunStatus::budget: return "budget";
    case RunStatus::diverged: return "diverged";
    case RunStatus::failed: return "failed";
  }
  return "?";
}

void RunResult::discard_numbers() {
  final_train_loss = final_error = best_error = std::nan("");
  best_error_iteration = convergence_iteration = chosen_iteration = -1;
  chosen_error = std::nan("");
  std::fill(summary.begin(), summary.end(), std::nan(""));
}

namespace {

/// The shared problem instance of a group of runs, built by the first run
/// that needs it and released when the last one is done.
struct InstanceSlot {
  std::mutex mutex;
  bool built = false;
  std::shared_ptr<const ProblemInstance> instance;
  std::string error;
};

/// The work items of a plan on a pool of threads: each item's instance built
/// by the first item that needs it, its runs run one by one or (several)
/// each on a thread of its own in lockstep, results reported as runs end.
class PlanRunner {
 public:
  PlanRunner(const Experiment& experiment, const PluginRegistry& plugins, const RunOptions& options,
             const WorkPlan& plan, ExperimentResults& output)
      : experiment_(experiment), plugins_(plugins), options_(options), plan_(plan), output_(output),
        slots_(plan.runs_of_instance.size()), remaining_(plan.runs_of_instance) {}

  void run(unsigned threads) {
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back([this] { work(); });
    work();
    for (auto& thread : pool) thread.join();
  }

 private:
  /// A thread's loop: the next item, until there are none or the sweep is stopped.
  void work() {
    for (std::size_t w = next_++; w < plan_.items.size(); w = next_++) {
      if (options_.stop && options_.stop->load()) break;
      const WorkItem& item = plan_.items[w];
      const std::vector<std::size_t> ids(plan_.ids.begin() + static_cast<std::ptrdiff_t>(item.first),
                                         plan_.ids.begin() + static_cast<std::ptrdiff_t>(item.first + item.count));
      run_item(item, ids);
      release(item);
    }
  }

  /// The instance of an item's slot, built by the first item that gets there.
  InstanceSlot& slot_of(const WorkItem& item, const RunSpec& first) {
    InstanceSlot* slot;
    {
      std::lock_guard lock(slots_mutex_);
      if (!slots_[item.instance]) slots_[item.instance] = std::make_unique<InstanceSlot>();
      slot = slots_[item.instance].get();
    }
    std::lock_guard lock(slot->mutex);
    if (!slot->built) {
      slot->built = true;
      try {
        slot->instance = build_instance(first, experiment_, plugins_);
      } catch (const std::exception& error) {
        slot->error = error.what();
      }
    }
    return *slot;
  }

  void run_item(const WorkItem& item, const std::vector<std::size_t>& ids) {
    const RunSpec first = experiment_.run(ids.front());
    const auto start = std::chrono::steady_clock::now();
    InstanceSlot& slot = slot_of(item, first);
    std::shared_ptr<const ProblemInstance> instance;
    {
      std::lock_guard lock(slot.mutex);
      instance = slot.instance;
    }
    if (ids.size() == 1 || !instance) {
      for (std::size_t id : ids) run_one(id, nullptr, instance.get(), slot.error, start);
      return;
    }
    // One participant thread per run; the lockstep's loss is the group's.
    std::shared_ptr<Loss> loss;
    try {
      loss = plugins_.find(PluginKind::loss, first.method.loss.name).create_loss(first.method.loss.values);
    } catch (const std::exception& error) {
      for (std::size_t id : ids) run_one(id, nullptr, nullptr, error.what(), start);
      return;
    }
    Lockstep lockstep(instance->measurement(), *loss, instance->observations(), ids.size());
    std::vector<std::thread> participants;
    for (std::size_t id : ids)
      participants.emplace_back([&, id] { run_one(id, &lockstep, instance.get(), slot.error, start); });
    for (auto& participant : participants) participant.join();
  }

  /// An item's runs are done: its instance goes with the last run that needs it.
  void release(const WorkItem& item) {
    std::lock_guard lock(slots_mutex_);
    remaining_[item.instance] -= static_cast<std::uint32_t>(item.count);
    if (remaining_[item.instance] == 0) slots_[item.instance].reset();
  }

  /// Runs one run; with a lockstep, as one of its participants.
  void run_one(std::size_t id, Lockstep* lockstep, const ProblemInstance* instance, const std::string& instance_error,
               std::chrono::steady_clock::time_point start) {
    const RunSpec run = experiment_.run(id);
    if (options_.on_run_started) {
      std::lock_guard lock(report_mutex_);
      options_.on_run_started(run);
    }
    RunResult result;
    result.id = run.id;
    if (!instance) {
      result.status = RunStatus::failed;
      result.message = "building the problem instance failed: " + instance_error;
    } else {
      execute_guarded(run, *instance, lockstep, result);
    }
    if (!result.counts()) result.discard_numbers();
    if (lockstep) lockstep->leave();
    result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::lock_guard lock(report_mutex_);
    if (options_.on_run_finished) options_.on_run_finished(run, result);
    if (options_.keep_results) output_.runs[id] = std::move(result);
  }

  /// The run loop, a throw recorded as the run's failure.
  void execute_guarded(const RunSpec& run, const ProblemInstance& instance, Lockstep* lockstep, RunResult& result) {
    try {
      ProgressReport progress;
      if (options_.on_run_progress)
        progress = [&](Index iterations) {
          std::lock_guard lock(report_mutex_);
          options_.on_run_progress(run, iterations);
        };
      execute_run(run, experiment_, instance, plugins_, lockstep, result, progress);
    } catch (const std::exception& error) {
      result.status = RunStatus::failed;
      result.message = error.what();
    } catch (...) {
      result.status = RunStatus::failed;
      result.message = "a plugin threw an exception that is not a std::exception";
    }
  }

  const Experiment& experiment_;
  const PluginRegistry& plugins_;
  const RunOptions& options_;
  const WorkPlan& plan_;
  ExperimentResults& output_;
  std::atomic<std::size_t> next_{0};
  // Instances live from their first run to their last: slots are made when
  // needed and dropped when done, so memory holds the instances in flight.
  std::mutex slots_mutex_;
  std::vector<std::unique_ptr<InstanceSlot>> slots_;
  std::vector<std::uint32_t> remaining_;
  std::mutex report_mutex_;
};

}  // namespace

ExperimentResults run_experiment(const Experiment& experiment, const PluginRegistry& plugins,
                                 const RunOptions& options) {
  ExperimentResults output;
  output.columns = experiment.columns;
  if (options.keep_results) output.runs.resize(experiment.run_count());
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  const WorkPlan plan = plan_work(experiment, plugins, options, threads);
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(plan.items.size(), 1)));
  PlanRunner(experiment, plugins, options, plan, output).run(threads);
  return output;
}

}  // namespace ncvx
