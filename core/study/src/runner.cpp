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
};

/// The work, compactly (a few bytes per run, whatever the sweep's size):
/// items are ranges of `ids`; the runs of an item share instance `instance`
/// and a loss, and advance in lockstep when the item has several.
struct WorkItem {
  std::size_t first = 0, count = 0;
  std::uint32_t instance = 0;
};
struct WorkPlan {
  std::vector<std::size_t> ids;
  std::vector<WorkItem> items;
  std::vector<std::uint32_t> runs_of_instance;  ///< how many runs each instance serves
};

/// What an instance of a sweep point needs: the measurement operator and the problem's data.
struct InstanceNeed {
  std::size_t bytes = 0;
  bool shares_passes = false;
  std::size_t operator_bytes = 0;
  std::string description;  // "measurement `m` on 40 x 40 symmetric matrices needs 1.20 GiB for its operator"
};

/// The work items (single runs, or groups of runs that advance in lockstep),
/// after checking, before anything is allocated, that the runs in flight at
/// once fit in the memory this process may use.
WorkPlan plan_work(const Experiment& experiment, const PluginRegistry& plugins, const RunOptions& options,
                   unsigned threads) {
  // Instances: a point's instance key (interned: points sharing data share it) and a seed.
  std::map<std::string, std::uint32_t> key_index;
  std::vector<std::uint32_t> point_key(experiment.points.size());
  std::vector<std::size_t> key_point;  // a point of each key
  for (std::size_t p = 0; p < experiment.points.size(); ++p) {
    const auto [it, added] =
        key_index.try_emplace(experiment.points[p].instance_key, static_cast<std::uint32_t>(key_point.size()));
    if (added) key_point.push_back(p);
    point_key[p] = it->second;
  }
  // An instance is (point key, seed): dense numbers key * seeds + seed, compacted to the ones used.
  std::map<std::string, std::uint32_t> loss_index;
  const std::size_t seeds = experiment.seeds.size();
  constexpr std::uint32_t kUnused = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> instance_number(key_point.size() * seeds, kUnused);
  std::vector<std::uint32_t> instance_key;  // the point key of each instance
  struct Entry {
    std::uint32_t instance, loss;
    std::size_t id;
  };
  std::vector<Entry> entries;
  std::size_t run_bytes = 0;  // the largest run's factors and buffers
  for (std::size_t p = 0; p < experiment.points.size(); ++p) {
    const SweepPoint& point = experiment.points[p];
    const MatrixShape& shape = experiment.problems[point.problem].description.shape;
    for (std::size_t s = 0; s < experiment.seeds.size(); ++s)
      for (std::size_t m = 0; m < point.methods.size(); ++m) {
        const std::size_t id = experiment.point_starts[p] + s * point.methods.size() + m;
        if (options.include && !options.include(id)) continue;
        std::uint32_t& instance = instance_number[point_key[p] * seeds + s];
        if (instance == kUnused) {
          instance = static_cast<std::uint32_t>(instance_key.size());
          instance_key.push_back(point_key[p]);
        }
        const auto loss = loss_index
                              .try_emplace(point.methods[m].spec.loss.key(), static_cast<std::uint32_t>(loss_index.size()))
                              .first->second;
        entries.push_back({instance, loss, id});
        // F, F_0, the gradient, an optimizer's and the metrics' copies: about eight factor sets.
        run_bytes = std::max(run_bytes, saturating_product({8 * sizeof(double),
                                                            static_cast<std::size_t>(shape.rows + shape.cols),
                                                            static_cast<std::size_t>(point.methods[m].spec.width)}));
      }
  }
  instance_number = {};

  // What each point key's instance needs, and whether its runs share passes.
  std::vector<InstanceNeed> needs(key_point.size());
  for (std::size_t k = 0; k < key_point.size(); ++k) {
    const SweepPoint& point = experiment.points[key_point[k]];
    const auto model =
        plugins.find(PluginKind::measurement, point.measurement.name).create_measurement(point.measurement.values);
    const ProblemChoice& problem = experiment.problems[point.problem];
    InstanceNeed& need = needs[k];
    need.operator_bytes = model->required_bytes(problem.description.shape);
    need.bytes = saturating_add(need.operator_bytes, problem.model->required_bytes());
    need.shares_passes = model->shares_passes();
    need.description = fmt::format("measurement `{}` on {} matrices needs {} for its operator", point.measurement.name,
                                   problem.description.shape.describe(), describe_bytes(need.operator_bytes));
  }

  // Groups of the same instance and loss, in the order of their first run.
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.instance != b.instance ? a.instance < b.instance : a.loss < b.loss;
  });
  WorkPlan plan;
  plan.runs_of_instance.assign(instance_key.size(), 0);
  std::size_t largest_item = 1;
  for (std::size_t at = 0; at < entries.size();) {
    std::size_t end = at;
    while (end < entries.size() && entries[end].instance == entries[at].instance && entries[end].loss == entries[at].loss)
      ++end;
    const std::size_t size = end - at;
    const InstanceNeed& need = needs[instance_key[entries[at].instance]];
    const bool together =
        options.lockstep > 1 && size > 1 && need.shares_passes && need.operator_bytes >= (std::size_t{16} << 20);
    const std::size_t step = together ? options.lockstep : 1;
    largest_item = std::max(largest_item, std::min(step, size));
    for (std::size_t first = at; first < end; first += step) {
      plan.items.push_back({plan.ids.size(), std::min(step, end - first), entries[at].instance});
      for (std::size_t i = first; i < std::min(first + step, end); ++i) plan.ids.push_back(entries[i].id);
    }
    plan.runs_of_instance[entries[at].instance] += static_cast<std::uint32_t>(size);
    at = end;
  }
  // Instance by instance (in the order of their first runs), each instance's
  // items in run order: an instance's runs, across all the sweep points that
  // share it (an axis over run.iterations, say), run one after another and it
  // is released after the last, so memory holds about `threads` instances, as
  // the estimate below assumes, whatever the sweep.
  std::vector<std::size_t> instance_first(instance_key.size(), std::numeric_limits<std::size_t>::max());
  for (const WorkItem& item : plan.items)
    instance_first[item.instance] = std::min(instance_first[item.instance], plan.ids[item.first]);
  std::stable_sort(plan.items.begin(), plan.items.end(), [&](const WorkItem& a, const WorkItem& b) {
    const std::size_t first_a = instance_first[a.instance], first_b = instance_first[b.instance];
    return first_a != first_b ? first_a < first_b : plan.ids[a.first] < plan.ids[b.first];
  });

  // In flight at once: up to `threads` instances (the largest ones, to be safe) and
  // threads x the largest lockstep group of runs.
  std::vector<std::size_t> sizes;
  for (std::uint32_t key : instance_key) sizes.push_back(needs[key].bytes);
  const std::size_t instances_at_once = std::min<std::size_t>(threads, sizes.size());
  std::partial_sort(sizes.begin(), sizes.begin() + static_cast<std::ptrdiff_t>(instances_at_once), sizes.end(),
                    std::greater<>());
  std::size_t instance_bytes = 0;
  for (std::size_t i = 0; i < instances_at_once; ++i) instance_bytes = saturating_add(instance_bytes, sizes[i]);
  const std::size_t runs_at_once = std::min<std::size_t>(plan.ids.size(), threads * largest_item);
  const std::size_t total = saturating_add(instance_bytes, saturating_multiply(runs_at_once, run_bytes));
  const MemoryAvailable available = available_memory();
  if (sizes.empty() || available.bytes == 0 || total <= available.bytes - available.bytes / 10) return plan;
  const auto largest = std::max_element(needs.begin(), needs.end(), [](const InstanceNeed& a, const InstanceNeed& b) {
    return a.bytes < b.bytes;
  });
  std::string lower = threads > 1 ? "lower --threads (instances built at once)" : "";
  if (largest_item > 1) lower += std::string(lower.empty() ? "lower" : ",") + " --lockstep (runs advancing together)";
  lower += std::string(lower.empty() ? "use" : ", or use") +
           " storage: single or regenerated (gaussian_sensing), fewer measurements or a smaller problem";
  throw Error(fmt::format("{}; the runs in flight at once need {} ({} instance{} built by {} thread{}, and the factors "
                          "of {} run{}), but only {} of memory is available ({}); {}.",
                          largest->description, describe_bytes(total), instances_at_once,
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
  const WorkPlan plan = plan_work(experiment, plugins, options, threads);
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(plan.items.size(), 1)));
  // Instances live from their first run to their last: slots are made when
  // needed and dropped when done, so memory holds the instances in flight.
  std::mutex slots_mutex;
  std::vector<std::unique_ptr<InstanceSlot>> slots(plan.runs_of_instance.size());
  std::vector<std::uint32_t> remaining = plan.runs_of_instance;

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
        ProgressReport progress;
        if (options.on_run_progress)
          progress = [&](Index iterations) {
            std::lock_guard lock(report_mutex);
            options.on_run_progress(run, iterations);
          };
        execute_run(run, experiment, *instance, plugins, lockstep, result, progress);
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
    for (std::size_t w = next++; w < plan.items.size(); w = next++) {
      if (options.stop && options.stop->load()) break;
      const WorkItem& work = plan.items[w];
      const std::vector<std::size_t> item(plan.ids.begin() + static_cast<std::ptrdiff_t>(work.first),
                                          plan.ids.begin() + static_cast<std::ptrdiff_t>(work.first + work.count));
      const RunSpec first = experiment.run(item.front());
      InstanceSlot* slot;
      {
        std::lock_guard lock(slots_mutex);
        if (!slots[work.instance]) slots[work.instance] = std::make_unique<InstanceSlot>();
        slot = slots[work.instance].get();
      }
      const auto start = std::chrono::steady_clock::now();
      std::shared_ptr<const ProblemInstance> instance;
      {
        std::lock_guard lock(slot->mutex);
        if (!slot->built) {
          slot->built = true;
          try {
            slot->instance = build_instance(first, experiment, plugins);
          } catch (const std::exception& error) {
            slot->error = error.what();
          }
        }
        instance = slot->instance;
      }

      if (item.size() == 1 || !instance) {
        for (std::size_t i : item) run_one(i, nullptr, instance.get(), slot->error, start);
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
            participants.emplace_back([&, i] { run_one(i, &lockstep, instance.get(), slot->error, start); });
          for (auto& participant : participants) participant.join();
        }
      }
      instance.reset();
      std::lock_guard lock(slots_mutex);
      remaining[work.instance] -= static_cast<std::uint32_t>(item.size());
      if (remaining[work.instance] == 0) slots[work.instance].reset();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  return output;
}

}  // namespace ncvx
