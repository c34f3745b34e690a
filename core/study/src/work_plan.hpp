#pragma once
// The work of run_experiment, planned before anything is allocated (internal
// to the study): the runs grouped by the instance they share (problem,
// corruptions, measurement, seed) and by loss into work items (one run, or a
// group that advances in lockstep), ordered instance by instance; and the
// check that the runs in flight at once fit in the memory this process may use.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ncvx/study/runner.hpp"

namespace ncvx {

/// A range of WorkPlan::ids: runs that share an instance and a loss, and
/// advance in lockstep when there are several.
struct WorkItem {
  std::size_t first = 0, count = 0;
  std::uint32_t instance = 0;
};

/// The work, compactly (a few bytes per run, whatever the sweep's size).
struct WorkPlan {
  std::vector<std::size_t> ids;
  std::vector<WorkItem> items;
  std::vector<std::uint32_t> runs_of_instance;  ///< how many runs each instance serves
};

/// The work items of the runs `options.include` keeps; throws Error, naming
/// the largest operator and what to lower, when the runs in flight at once
/// (`threads` instances, `threads` items' factors) would not fit in memory.
WorkPlan plan_work(const Experiment& experiment, const PluginRegistry& plugins, const RunOptions& options,
                   unsigned threads);

}  // namespace ncvx
