#pragma once
// Running a sweep into a results folder, the way `ncvx run` does: crash-safe,
// resumable, splittable over shards, processes or MPI ranks.
//
//   config.resolved.yaml and meta.json are written first; every finished run
//   is appended to runs.journal at once (journal.hpp); metrics.csv,
//   summary.csv and timing.csv are assembled from the journal at the end.
//   Memory holds the runs in flight, not the sweep.
//
//   resume   continue a folder: only the runs without a record run; the folder
//            must have been made by the same resolved configuration and the
//            same versions of the plugins it uses (else a sentence says which
//            differs). The result is the same bytes as an uninterrupted run.
//   shard    I/N: run a deterministic part (whole instance groups, balanced by
//            an estimate of their cost); the folder then holds a partial
//            journal, and `ncvx merge` joins the shards' folders.
//   isolate  run each instance group in a child process (`ncvx worker`), so a
//            plugin that crashes, aborts or hangs (run.max_seconds) fails its
//            runs, with the signal or "timeout", and the sweep goes on. Cost:
//            one process start, plugin load and instance build per group.
//
// The same pieces serve MPI (one rank writes, the others run groups) through
// plan_groups and run_group_records (shards.hpp). Merging shards, comparing
// folders and the HTML report: merge.hpp, compare.hpp, report.hpp.

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "ncvx/study/journal.hpp"
#include "ncvx/study/output.hpp"
#include "ncvx/study/shards.hpp"

namespace ncvx {

struct SweepProgress {
  std::size_t total = 0;     ///< runs this process has to do
  std::size_t done = 0;      ///< finished (including those found on resume)
  std::size_t running = 0;
  std::size_t failed = 0;    ///< failed or diverged
  double elapsed = 0;        ///< seconds
  double eta = -1;           ///< seconds left, from the finished runs' times (-1: unknown)
  const RunSpec* run = nullptr;        ///< the run that just finished, if any
  const TableEntry* result = nullptr;  ///< its result
};

/// How the instance groups of a sweep are run: in this process (threads), in
/// child processes (isolation), or on other MPI ranks (the CLI's, when built
/// with Open MPI). `finished` is called, serialized, with each run's record
/// as soon as it is known; `running` with the change in runs in flight.
class GroupExecutor {
 public:
  virtual ~GroupExecutor() = default;
  virtual void run(const std::vector<std::vector<std::size_t>>& groups,
                   const std::function<void(const JournalRecord&)>& finished,
                   const std::function<void(long)>& running) = 0;
};

struct SweepOptions {
  std::filesystem::path directory;
  unsigned threads = 0;  ///< 0: every core
  unsigned lockstep = 8;
  bool resume = false;
  Shard shard;
  bool isolate = false;
  /// The ncvx executable and the plugin folders a child process is given (isolate).
  std::filesystem::path executable;
  std::vector<std::filesystem::path> plugin_dirs;
  std::vector<std::string> command_line;  ///< for meta.json
  /// Called (serialized) when runs start and finish, and once at the start.
  std::function<void(const SweepProgress&)> progress;
  /// Runs the groups elsewhere (MPI); nullptr: threads, or processes with `isolate`.
  GroupExecutor* executor = nullptr;
  /// When set and true (Ctrl-C), no further run starts: runs on threads in
  /// flight finish, worker processes are stopped (their runs get no record);
  /// the folder is left to --resume.
  const std::atomic<bool>* stop = nullptr;
};

struct SweepOutcome {
  std::vector<TableEntry> table;  ///< every run with a record in the folder
  bool complete = false;          ///< the files were assembled (false for a shard)
  std::size_t resumed = 0;        ///< runs found finished in the folder
  bool interrupted = false;       ///< stopped (SweepOptions::stop) before every run had its record
  std::vector<std::string> notes; ///< damaged journal parts skipped, and the like
};

/// Runs the sweep into options.directory (see above).
SweepOutcome run_sweep(const Experiment& experiment, const PluginRegistry& plugins, const SweepOptions& options);

}  // namespace ncvx
