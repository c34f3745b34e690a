#include "work_plan.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <string>

#include <fmt/format.h>

#include "ncvx/errors.hpp"
#include "ncvx/memory.hpp"
#include "ncvx/plugin_registry.hpp"

namespace ncvx {

namespace {

/// What an instance of a sweep point needs: the measurement operator and the problem's data.
struct InstanceNeed {
  std::size_t bytes = 0;
  bool shares_passes = false;
  std::size_t operator_bytes = 0;
  std::string description;  // "measurement `m` on 40 x 40 symmetric matrices needs 1.20 GiB for its operator"
};

/// One run of the plan: its instance (dense numbers, in the order first
/// met), its loss (the same) and its id.
struct Entry {
  std::uint32_t instance, loss;
  std::size_t id;
};

/// The runs to do, their instances and losses.
struct Runs {
  std::vector<Entry> entries;
  std::vector<std::uint32_t> instance_key;  ///< the point key of each instance
  std::vector<std::size_t> key_point;       ///< a point of each key
  std::size_t run_bytes = 0;                ///< the largest run's factors and buffers
};

Runs collect_runs(const Experiment& experiment, const RunOptions& options) {
  Runs runs;
  // A point's instance key, interned: points sharing data share it.
  std::map<std::string, std::uint32_t> key_index;
  std::vector<std::uint32_t> point_key(experiment.points.size());
  for (std::size_t p = 0; p < experiment.points.size(); ++p) {
    const auto [it, added] =
        key_index.try_emplace(experiment.points[p].instance_key, static_cast<std::uint32_t>(runs.key_point.size()));
    if (added) runs.key_point.push_back(p);
    point_key[p] = it->second;
  }
  // An instance is (point key, seed): dense numbers key * seeds + seed, compacted to the ones used.
  std::map<std::string, std::uint32_t> loss_index;
  const std::size_t seeds = experiment.seeds.size();
  constexpr std::uint32_t kUnused = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> instance_number(runs.key_point.size() * seeds, kUnused);
  for (std::size_t p = 0; p < experiment.points.size(); ++p) {
    const SweepPoint& point = experiment.points[p];
    const MatrixShape& shape = experiment.problems[point.problem].description.shape;
    for (std::size_t s = 0; s < seeds; ++s)
      for (std::size_t m = 0; m < point.methods.size(); ++m) {
        const std::size_t id = experiment.point_starts[p] + s * point.methods.size() + m;
        if (options.include && !options.include(id)) continue;
        std::uint32_t& instance = instance_number[point_key[p] * seeds + s];
        if (instance == kUnused) {
          instance = static_cast<std::uint32_t>(runs.instance_key.size());
          runs.instance_key.push_back(point_key[p]);
        }
        // A device run evaluates on its device, never through a lockstep: a group of its own.
        const std::string group = point.methods[m].spec.on_device() ? fmt::format("device run {}", id)
                                                                     : point.methods[m].spec.loss.key();
        const auto loss = loss_index.try_emplace(group, static_cast<std::uint32_t>(loss_index.size())).first->second;
        runs.entries.push_back({instance, loss, id});
        // F, F_0, the gradient, an optimizer's and the metrics' copies: about eight factor sets.
        runs.run_bytes = std::max(runs.run_bytes,
                                  saturating_product({8 * sizeof(double), static_cast<std::size_t>(shape.rows + shape.cols),
                                                      static_cast<std::size_t>(point.methods[m].spec.width)}));
      }
  }
  return runs;
}

/// What each point key's instance needs, and whether its runs share passes.
std::vector<InstanceNeed> instance_needs(const Experiment& experiment, const PluginRegistry& plugins,
                                         const std::vector<std::size_t>& key_point) {
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
  return needs;
}

/// Groups of the same instance and loss, cut into items of up to
/// options.lockstep runs where the operator is large and shares passes;
/// `largest_item` is the largest item made.
WorkPlan group_items(Runs& runs, const std::vector<InstanceNeed>& needs, const RunOptions& options,
                     std::size_t& largest_item) {
  auto& entries = runs.entries;
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.instance != b.instance ? a.instance < b.instance : a.loss < b.loss;
  });
  WorkPlan plan;
  plan.runs_of_instance.assign(runs.instance_key.size(), 0);
  largest_item = 1;
  for (std::size_t at = 0; at < entries.size();) {
    std::size_t end = at;
    while (end < entries.size() && entries[end].instance == entries[at].instance && entries[end].loss == entries[at].loss)
      ++end;
    const std::size_t size = end - at;
    const InstanceNeed& need = needs[runs.instance_key[entries[at].instance]];
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
  return plan;
}

/// Instance by instance (in the order of their first runs), each instance's
/// items in run order: an instance's runs, across all the sweep points that
/// share it (an axis over run.iterations, say), run one after another and it
/// is released after the last, so memory holds about `threads` instances, as
/// check_memory assumes, whatever the sweep.
void order_items(WorkPlan& plan) {
  std::vector<std::size_t> instance_first(plan.runs_of_instance.size(), std::numeric_limits<std::size_t>::max());
  for (const WorkItem& item : plan.items)
    instance_first[item.instance] = std::min(instance_first[item.instance], plan.ids[item.first]);
  std::stable_sort(plan.items.begin(), plan.items.end(), [&](const WorkItem& a, const WorkItem& b) {
    const std::size_t first_a = instance_first[a.instance], first_b = instance_first[b.instance];
    return first_a != first_b ? first_a < first_b : plan.ids[a.first] < plan.ids[b.first];
  });
}

/// In flight at once: up to `threads` instances (the largest ones, to be safe)
/// and threads x the largest lockstep group of runs; refused when that does
/// not fit in 90 % of the memory available.
void check_memory(const WorkPlan& plan, const Runs& runs, const std::vector<InstanceNeed>& needs,
                  std::size_t largest_item, unsigned threads) {
  std::vector<std::size_t> sizes;
  for (std::uint32_t key : runs.instance_key) sizes.push_back(needs[key].bytes);
  const std::size_t instances_at_once = std::min<std::size_t>(threads, sizes.size());
  std::partial_sort(sizes.begin(), sizes.begin() + static_cast<std::ptrdiff_t>(instances_at_once), sizes.end(),
                    std::greater<>());
  std::size_t instance_bytes = 0;
  for (std::size_t i = 0; i < instances_at_once; ++i) instance_bytes = saturating_add(instance_bytes, sizes[i]);
  const std::size_t runs_at_once = std::min<std::size_t>(plan.ids.size(), threads * largest_item);
  const std::size_t total = saturating_add(instance_bytes, saturating_multiply(runs_at_once, runs.run_bytes));
  const MemoryAvailable available = available_memory();
  if (sizes.empty() || available.bytes == 0 || total <= available.bytes - available.bytes / 10) return;
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

WorkPlan plan_work(const Experiment& experiment, const PluginRegistry& plugins, const RunOptions& options,
                   unsigned threads) {
  Runs runs = collect_runs(experiment, options);
  const std::vector<InstanceNeed> needs = instance_needs(experiment, plugins, runs.key_point);
  std::size_t largest_item = 1;
  WorkPlan plan = group_items(runs, needs, options, largest_item);
  order_items(plan);
  check_memory(plan, runs, needs, largest_item, threads);
  return plan;
}

}  // namespace ncvx
