#pragma once
// The work of a sweep cut into pieces: instance groups (the runs that share
// one problem instance, built once per group), shards of a sweep (`--shard
// I/N`: whole groups, balanced by an estimate of their cost, the same cut on
// every machine), and running some runs of a sweep into journal records
// (what an MPI rank or a shard does with its groups).

#include <cstddef>
#include <string>
#include <vector>

#include "ncvx/study/experiment.hpp"

namespace ncvx {

class PluginRegistry;

/// A part of a sweep: shard `index` (0-based) of `count`.
struct Shard {
  std::size_t index = 0;
  std::size_t count = 1;
};

/// Parses "I/N" (1-based I, as Slurm's array index + 1 or the user writes it).
Shard parse_shard(const std::string& text);

/// The work of a sweep as instance groups: each holds the ids of the runs that
/// share one instance (built once per group), in id order; groups in order
/// of their first run. With `shard`, only that shard's groups (balanced by
/// estimated cost, deterministic).
std::vector<std::vector<std::size_t>> plan_groups(const Experiment& experiment, const PluginRegistry& plugins,
                                                  const Shard& shard = {});

/// Runs the given runs (threads, lockstep as for run_experiment) and returns
/// their journal records as text, tagged with `worker`.
std::string run_group_records(const Experiment& experiment, const PluginRegistry& plugins,
                              const std::vector<std::size_t>& ids, unsigned threads, unsigned lockstep,
                              const std::string& worker);

}  // namespace ncvx
