#include "ncvx/runner.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "ncvx/diagnostics.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/lockstep.hpp"
#include "ncvx/memory.hpp"
#include "ncvx/plugin_registry.hpp"
#include "ncvx/run_loop.hpp"

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
  best_error_iteration = convergence_iteration = -1;
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
  std::size_t remaining = 0;
};

/// What one instance needs: the measurement operator and the problem's data.
struct InstanceNeed {
  std::size_t bytes = 0;
  std::string description;  // "measurement `m` on 40 x 40 symmetric matrices needs 1.20 GiB for its operator"
};

/// Work items (single runs, or groups of runs that advance in lockstep), after
/// checking, before anything is allocated, that the runs in flight at once
/// fit in the memory this process may use.
std::vector<std::vector<std::size_t>> plan_work(const Experiment& experiment, const PluginRegistry& plugins,
                                                const RunOptions& options, unsigned threads) {
  std::map<std::string, std::vector<std::size_t>> groups;  // by instance and loss
  std::vector<std::string> order;
  std::size_t run_bytes = 0;  // the largest run's factors and buffers
  for (std::size_t i = 0; i < experiment.run_count(); ++i) {
    if (options.include && !options.include(i)) continue;
    const RunSpec run = experiment.run(i);
    const std::string key = run.instance_key + " loss=" + run.method.loss.key();
    if (!groups.count(key)) order.push_back(key);
    groups[key].push_back(i);
    // F, F_0, the gradient, an optimizer's and the metrics' copies: about eight factor sets.
    const MatrixShape& shape = experiment.problem_of(run).description.shape;
    run_bytes = std::max(run_bytes, saturating_product({8 * sizeof(double), static_cast<std::size_t>(shape.rows + shape.cols),
                                                        static_cast<std::size_t>(run.method.width)}));
  }
  std::map<std::string, InstanceNeed> instances;  // by instance key
  std::vector<std::vector<std::size_t>> items;
  std::size_t largest_item = 1;
  for (const auto& key : order) {
    const std::vector<std::size_t>& group = groups[key];
    const RunSpec first = experiment.run(group.front());
    const auto model =
        plugins.find(PluginKind::measurement, first.measurement.name).create_measurement(first.measurement.values);
    const ProblemChoice& problem = experiment.problem_of(first);
    const std::size_t operator_bytes = model->required_bytes(problem.description.shape);
    InstanceNeed& need = instances[first.instance_key];
    need.bytes = saturating_add(operator_bytes, problem.model->required_bytes());
    need.description = fmt::format("measurement `{}` on {} matrices needs {} for its operator", first.measurement.name,
                                   problem.description.shape.describe(), describe_bytes(operator_bytes));
    const bool together = options.lockstep > 1 && group.size() > 1 && model->shares_passes() &&
                          operator_bytes >= (std::size_t{16} << 20);
    const std::size_t size = together ? options.lockstep : 1;
    largest_item = std::max(largest_item, std::min(size, group.size()));
    for (std::size_t at = 0; at < group.size(); at += size)
      items.emplace_back(group.begin() + static_cast<std::ptrdiff_t>(at),
                         group.begin() + static_cast<std::ptrdiff_t>(std::min(at + size, group.size())));
  }

  // In flight at once: up to `threads` instances (the largest ones, to be safe) and
  // threads x the largest lockstep group of runs.
  std::vector<const InstanceNeed*> needs;
  for (const auto& [key, need] : instances) needs.push_back(&need);
  std::sort(needs.begin(), needs.end(), [](const InstanceNeed* a, const InstanceNeed* b) { return a->bytes > b->bytes; });
  const std::size_t instances_at_once = std::min<std::size_t>(threads, needs.size());
  std::size_t instance_bytes = 0;
  for (std::size_t i = 0; i < instances_at_once; ++i) instance_bytes = saturating_add(instance_bytes, needs[i]->bytes);
  std::size_t included = 0;
  for (const auto& item : items) included += item.size();
  const std::size_t runs_at_once = std::min<std::size_t>(included, threads * largest_item);
  const std::size_t total = saturating_add(instance_bytes, saturating_multiply(runs_at_once, run_bytes));
  const MemoryAvailable available = available_memory();
  if (needs.empty() || available.bytes == 0 || total <= available.bytes - available.bytes / 10) return items;
  std::string lower = threads > 1 ? "lower --threads (instances built at once)" : "";
  if (largest_item > 1) lower += std::string(lower.empty() ? "lower" : ",") + " --lockstep (runs advancing together)";
  lower += std::string(lower.empty() ? "use" : ", or use") +
           " storage: single, fewer measurements or a smaller problem";
  throw Error(fmt::format("{}; the runs in flight at once need {} ({} instance{} built by {} thread{}, and the factors "
                          "of {} run{}), but only {} of memory is available ({}); {}.",
                          needs.front()->description, describe_bytes(total), instances_at_once,
                          instances_at_once == 1 ? "" : "s", threads, threads == 1 ? "" : "s", runs_at_once,
                          runs_at_once == 1 ? "" : "s", describe_bytes(available.bytes), available.limited_by,
                          lower));
}

}  // namespace

ExperimentResults run_experiment(const Experiment& experiment, const PluginRegistry& plugins,
                                 const RunOptions& options) {
  ExperimentResults output;
  output.columns = experiment.columns;
  if (options.keep_results) output.runs.resize(experiment.run_count());
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  const std::vector<std::vector<std::size_t>> items = plan_work(experiment, plugins, options, threads);
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(items.size(), 1)));
  std::map<std::string, InstanceSlot> slots;
  for (const auto& item : items)
    for (std::size_t i : item) ++slots[experiment.run(i).instance_key].remaining;

  std::mutex report_mutex;
  // Runs one run; with a lockstep, as one of its participants.
  auto run_one = [&](std::size_t i, Lockstep* lockstep, const ProblemInstance* instance,
                     const std::string& instance_error, std::chrono::steady_clock::time_point start) {
    const RunSpec run = experiment.run(i);
    if (options.on_run_started) {
      std::lock_guard lock(report_mutex);
      options.on_run_started(run);
    }
    RunResult result;
    result.id = run.id;
    if (!instance) {
      result.status = RunStatus::failed;
      result.message = "building the problem instance failed: " + instance_error;
    } else {
      try {
        execute_run(run, experiment, *instance, plugins, lockstep, result);
      } catch (const std::exception& error) {
        result.status = RunStatus::failed;
        result.message = error.what();
      } catch (...) {
        result.status = RunStatus::failed;
        result.message = "a plugin threw an exception that is not a std::exception";
      }
    }
    if (!result.counts()) result.discard_numbers();
    if (lockstep) lockstep->leave();
    result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::lock_guard lock(report_mutex);
    if (options.on_run_finished) options.on_run_finished(run, result);
    if (options.keep_results) output.runs[i] = std::move(result);
  };

  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t w = next++; w < items.size(); w = next++) {
      const std::vector<std::size_t>& item = items[w];
      const RunSpec first = experiment.run(item.front());
      InstanceSlot& slot = slots.at(first.instance_key);
      const auto start = std::chrono::steady_clock::now();
      std::shared_ptr<const ProblemInstance> instance;
      {
        std::lock_guard lock(slot.mutex);
        if (!slot.built) {
          slot.built = true;
          try {
            slot.instance = build_instance(first, experiment, plugins);
          } catch (const std::exception& error) {
            slot.error = error.what();
          }
        }
        instance = slot.instance;
      }

      if (item.size() == 1 || !instance) {
        for (std::size_t i : item) run_one(i, nullptr, instance.get(), slot.error, start);
      } else {
        // One participant thread per run; the lockstep's loss is the group's.
        std::shared_ptr<Loss> loss;
        try {
          loss = plugins.find(PluginKind::loss, first.method.loss.name).create_loss(first.method.loss.values);
        } catch (const std::exception& error) {
          for (std::size_t i : item) run_one(i, nullptr, nullptr, error.what(), start);
        }
        if (loss) {
          Lockstep lockstep(instance->measurement(), *loss, instance->observations(), item.size());
          std::vector<std::thread> participants;
          for (std::size_t i : item)
            participants.emplace_back([&, i] { run_one(i, &lockstep, instance.get(), slot.error, start); });
          for (auto& participant : participants) participant.join();
        }
      }
      instance.reset();
      {
        std::lock_guard lock(slot.mutex);
        slot.remaining -= item.size();
        if (slot.remaining == 0) slot.instance.reset();
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  return output;
}

}  // namespace ncvx
