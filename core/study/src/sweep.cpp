#include "ncvx/study/sweep.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>

#include <fmt/format.h>

#include "executors.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/study/folder_lock.hpp"
#include "sweep_folder.hpp"

namespace ncvx {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

/// Opens the folder for this sweep: a new one (refused when it holds a
/// journal), or a resumed one, whose finished runs go into `outcome` and
/// `finished`.
void open_folder(const Experiment& experiment, const PluginRegistry& plugins, const SweepOptions& options,
                 SweepOutcome& outcome, std::vector<bool>& finished) {
  const fs::path& directory = options.directory;
  const fs::path journal_file = directory / kJournalFile;
  if (!options.resume) {
    if (fs::exists(journal_file) && fs::file_size(journal_file) > 0)
      throw Error(fmt::format("{} already holds the journal of a sweep; continue it with --resume {}, or choose "
                              "another folder with --out.",
                              directory.string(), directory.string()));
    return;
  }
  check_same_sweep(directory, experiment, plugins, "resume");
  const JournalIndex index = index_journal(journal_file, /*with_tables=*/true);
  outcome.notes = index.damaged;
  if (std::string cut = cut_damaged_tail(index); !cut.empty()) outcome.notes.push_back(std::move(cut));
  for (const TableEntry& entry : index.tables) {
    if (entry.id < 0 || static_cast<std::size_t>(entry.id) >= experiment.run_count()) continue;
    if (finished[static_cast<std::size_t>(entry.id)]) continue;
    finished[static_cast<std::size_t>(entry.id)] = true;
    outcome.table.push_back(entry);
    ++outcome.resumed;
  }
}

/// This shard's instance groups, less the finished runs; `in_shard` counts
/// all of the shard's runs.
std::vector<std::vector<std::size_t>> remaining_groups(const Experiment& experiment, const PluginRegistry& plugins,
                                                       const Shard& shard, const std::vector<bool>& finished,
                                                       std::size_t& in_shard) {
  std::vector<std::vector<std::size_t>> groups;
  in_shard = 0;
  for (auto& group : plan_groups(experiment, plugins, shard)) {
    in_shard += group.size();
    std::vector<std::size_t> left;
    for (std::size_t id : group)
      if (!finished[id]) left.push_back(id);
    if (!left.empty()) groups.push_back(std::move(left));
  }
  return groups;
}

/// The journal and the progress while the groups run: each finished run's
/// record is appended at once, then reported. Thread-safe.
class SweepRecorder {
 public:
  SweepRecorder(const Experiment& experiment, const SweepOptions& options, SweepOutcome& outcome,
                std::size_t in_shard, std::size_t left)
      : experiment_(experiment), options_(options), outcome_(outcome),
        journal_(options.directory / kJournalFile), started_(Clock::now()) {
    progress_.total = in_shard;
    progress_.done = in_shard - left;
    for (const auto& entry : outcome.table) progress_.failed += entry.counts() ? 0 : 1;
    report(nullptr, nullptr);
  }

  void finished(const JournalRecord& record) {
    std::lock_guard lock(mutex_);
    journal_.append(record);
    outcome_.table.push_back(record.table);
    ++progress_.done;
    ++finished_here_;
    if (!record.table.counts()) ++progress_.failed;
    const RunSpec run = experiment_.run(static_cast<std::size_t>(record.table.id));
    report(&run, &outcome_.table.back());
  }

  void running(long change) {
    std::lock_guard lock(mutex_);
    progress_.running = static_cast<std::size_t>(static_cast<long>(progress_.running) + change);
    report(nullptr, nullptr);
  }

  double seconds() const { return std::chrono::duration<double>(Clock::now() - started_).count(); }

 private:
  void report(const RunSpec* run, const TableEntry* entry) {
    progress_.elapsed = seconds();
    const std::size_t left = progress_.total - progress_.done;
    progress_.eta = finished_here_ == 0
                        ? -1.0
                        : progress_.elapsed / static_cast<double>(finished_here_) * static_cast<double>(left);
    progress_.run = run;
    progress_.result = entry;
    if (options_.progress) options_.progress(progress_);
  }

  const Experiment& experiment_;
  const SweepOptions& options_;
  SweepOutcome& outcome_;
  JournalWriter journal_;
  Clock::time_point started_;
  std::mutex mutex_;
  SweepProgress progress_;
  std::size_t finished_here_ = 0;
};

}  // namespace

SweepOutcome run_sweep(const Experiment& experiment, const PluginRegistry& plugins, const SweepOptions& options) {
  const fs::path& directory = options.directory;
  SweepOutcome outcome;

  // The folder: new, or resumed from what it holds; ours alone while we write.
  prepare_results_folder(directory);
  const FolderLock lock(directory, options.command_line);
  std::vector<bool> finished(experiment.run_count(), false);
  open_folder(experiment, plugins, options, outcome, finished);
  write_configuration(directory, experiment);
  write_sweep_meta(directory, experiment, plugins, options, false, 0.0);

  // The work: this shard's instance groups, less what is finished, run where the options say.
  std::size_t in_shard = 0;
  const auto groups = remaining_groups(experiment, plugins, options.shard, finished, in_shard);
  std::size_t left = 0;
  for (const auto& group : groups) left += group.size();
  SweepRecorder recorder(experiment, options, outcome, in_shard, left);
  if (!groups.empty()) {
    std::unique_ptr<GroupExecutor> local;
    GroupExecutor* executor = options.executor;
    if (!executor) {
      local = options.isolate ? process_executor(experiment, options) : thread_executor(experiment, plugins, options);
      executor = local.get();
    }
    executor->run(
        groups, [&](const JournalRecord& record) { recorder.finished(record); },
        [&](long change) { recorder.running(change); });
  }

  // The files, once every run of the sweep has its record.
  outcome.interrupted = options.stop && options.stop->load() && outcome.table.size() < in_shard;
  if (outcome.interrupted) {
    write_sweep_meta(directory, experiment, plugins, options, false, recorder.seconds(), "interrupted");
    return outcome;
  }
  if (options.shard.count <= 1) {
    const JournalIndex index = index_journal(directory / kJournalFile);
    outcome.notes.insert(outcome.notes.end(), index.damaged.begin(), index.damaged.end());
    assemble_results(directory, experiment, {index});
    outcome.complete = true;
  }
  write_sweep_meta(directory, experiment, plugins, options, outcome.complete, recorder.seconds());
  std::sort(outcome.table.begin(), outcome.table.end(),
            [](const TableEntry& a, const TableEntry& b) { return a.id < b.id; });
  return outcome;
}

}  // namespace ncvx
