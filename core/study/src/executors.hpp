#pragma once
// Where a sweep's instance groups run (internal to the study): on this
// process's threads, or in child processes (`ncvx worker`, isolation). MPI
// ranks are the CLI's executor (core/cli/mpi.hpp).

#include <memory>

#include "ncvx/study/sweep.hpp"

namespace ncvx {

/// Groups on this process's threads (run_experiment), records as runs finish.
std::unique_ptr<GroupExecutor> thread_executor(const Experiment& experiment, const PluginRegistry& plugins,
                                               const SweepOptions& options);

/// Groups in child processes, `options.threads` at a time: each child is
/// `ncvx worker DIR --runs IDS --report-fd 3`, which writes "#start ID" as a
/// run starts and the run's journal record as it ends on its own pipe (a
/// plugin's output on stdout cannot mix with it). Each record is passed on
/// as it arrives. When a child dies (a crash, an abort, a hang past
/// run.max_seconds, exit() called by a plugin), the runs it was doing fail
/// with the reason and a new child takes the rest of its group. Children die
/// with the process that started them (PR_SET_PDEATHSIG).
std::unique_ptr<GroupExecutor> process_executor(const Experiment& experiment, const SweepOptions& options);

/// A failed run's record (a worker that crashed or timed out before writing it).
JournalRecord failed_record(const Experiment& experiment, std::size_t id, const std::string& message,
                            const std::string& worker);

}  // namespace ncvx
