#include "ncvx/study/shards.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>

#include <fmt/format.h>

#include "ncvx/errors.hpp"
#include "ncvx/plugin_registry.hpp"

namespace ncvx {

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  std::size_t index = 0, count = 0;
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    std::size_t used = 0;
    index = std::stoul(text.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("index");
    count = std::stoul(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) throw std::invalid_argument("count");
  } catch (const std::exception&) {
    throw Error(fmt::format("--shard {}: write I/N, the I-th of N parts (1 <= I <= N).", text));
  }
  if (count < 1 || index < 1 || index > count)
    throw Error(fmt::format("--shard {}: write I/N with 1 <= I <= N.", text));
  return {index - 1, count};
}

namespace {

/// An estimate of a group's cost, to balance shards: iterations x the work of one.
double group_cost(const Experiment& experiment, const std::vector<std::size_t>& group, std::size_t operator_bytes) {
  double cost = 0;
  for (std::size_t id : group) {
    const RunSpec run = experiment.run(id);
    const MatrixShape& shape = experiment.problem_of(run).description.shape;
    const double per_iteration = static_cast<double>(operator_bytes) / 8.0 +
                                 static_cast<double>(shape.rows + shape.cols) * static_cast<double>(run.method.width);
    cost += static_cast<double>(std::max<Index>(1, run.settings.iterations)) * per_iteration;
  }
  return cost;
}

}  // namespace

std::vector<std::vector<std::size_t>> plan_groups(const Experiment& experiment, const PluginRegistry& plugins,
                                                  const Shard& shard) {
  // An instance is (the point's instance key, the seed): dense numbers, no string per run.
  std::map<std::string, std::size_t> key_index;
  std::vector<std::size_t> point_key(experiment.points.size());
  for (std::size_t p = 0; p < experiment.points.size(); ++p)
    point_key[p] = key_index.try_emplace(experiment.points[p].instance_key, key_index.size()).first->second;
  const std::size_t seeds = experiment.seeds.size();
  constexpr std::size_t kUnused = std::numeric_limits<std::size_t>::max();
  std::vector<std::size_t> group_of(key_index.size() * seeds, kUnused);
  std::vector<std::vector<std::size_t>> groups;
  for (std::size_t p = 0; p < experiment.points.size(); ++p)
    for (std::size_t s = 0; s < seeds; ++s) {
      std::size_t& group = group_of[point_key[p] * seeds + s];
      if (group == kUnused) {
        group = groups.size();
        groups.emplace_back();
      }
      const std::size_t first = experiment.point_starts[p] + s * experiment.points[p].methods.size();
      for (std::size_t m = 0; m < experiment.points[p].methods.size(); ++m) groups[group].push_back(first + m);
    }
  for (auto& group : groups) std::sort(group.begin(), group.end());
  if (shard.count <= 1) return groups;
  // Longest processing time first: the most expensive group to the least loaded shard.
  std::vector<double> costs(groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const RunSpec first = experiment.run(groups[g].front());
    const auto model =
        plugins.find(PluginKind::measurement, first.measurement.name).create_measurement(first.measurement.values);
    costs[g] = group_cost(experiment, groups[g], model->required_bytes(experiment.problem_of(first).description.shape));
  }
  std::vector<std::size_t> order(groups.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return costs[a] > costs[b]; });
  std::vector<double> load(shard.count, 0.0);
  std::vector<std::size_t> mine;
  for (std::size_t g : order) {
    const std::size_t target =
        static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[target] += costs[g];
    if (target == shard.index) mine.push_back(g);
  }
  std::sort(mine.begin(), mine.end());
  std::vector<std::vector<std::size_t>> chosen;
  for (std::size_t g : mine) chosen.push_back(std::move(groups[g]));
  return chosen;
}

}  // namespace ncvx
