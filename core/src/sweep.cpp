#include "ncvx/sweep.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "csv.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/folder_lock.hpp"
#include "ncvx/memory.hpp"
#include "ncvx/plugin_registry.hpp"
#include "ncvx/run_loop.hpp"

namespace ncvx {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

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

/// The text of config.resolved.yaml without its comment lines (which name the
/// source file and the overrides: a resumed sweep may be started from the copy).
std::string configuration_body(const std::string& text) {
  std::string body;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("#", 0) != 0) body += line + "\n";
  return body;
}

std::string read_file(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw Error(fmt::format("cannot read {}.", file.string()));
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

/// kind/name -> version of the plugins an experiment uses.
std::map<std::string, std::string> used_plugins(const Experiment& experiment, const PluginRegistry& plugins) {
  std::map<std::string, std::string> used;
  auto add = [&](const ComponentChoice& choice) {
    const LoadedPlugin& plugin = plugins.find(choice.kind, choice.name);
    used[fmt::format("{} {}", to_string(choice.kind), choice.name)] = plugin.info().version;
  };
  for (const auto& problem : experiment.problems) add(problem.choice);
  for (const auto& metric : experiment.metrics) add(metric);
  for (const auto& point : experiment.points) {
    for (const auto& corruption : point.corruptions) add(corruption);
    add(point.measurement);
    for (const auto& method : point.methods) {
      add(method.spec.initializer);
      add(method.spec.optimizer);
      add(method.spec.loss);
    }
  }
  return used;
}

std::map<std::string, std::string> used_plugins_of(const fs::path& directory) {
  std::map<std::string, std::string> used;
  const nlohmann::json meta = nlohmann::json::parse(read_file(directory / "meta.json"), nullptr, false);
  if (meta.is_discarded() || !meta.contains("used_plugins")) return used;
  for (const auto& [key, version] : meta["used_plugins"].items()) used[key] = version.get<std::string>();
  return used;
}

void write_sweep_meta(const fs::path& directory, const Experiment& experiment, const PluginRegistry& plugins,
                      const SweepOptions& options, bool finished, double seconds) {
  RunContext context;
  context.command_line = options.command_line;
  context.threads = options.threads;
  context.wall_seconds = seconds;
  context.finished = finished;
  write_meta(directory, experiment, plugins, context);
  // The plugin versions a resume or a merge must find again.
  nlohmann::json meta = nlohmann::json::parse(read_file(directory / "meta.json"));
  meta["used_plugins"] = used_plugins(experiment, plugins);
  if (options.shard.count > 1)
    meta["shard"] = {{"index", options.shard.index + 1}, {"count", options.shard.count}};
  write_atomically(directory / "meta.json", meta.dump(2) + "\n");
}

/// Refuses a folder made by another configuration or other plugin versions.
void check_same_sweep(const fs::path& directory, const Experiment& experiment, const PluginRegistry& plugins,
                      const char* action) {
  const fs::path config = directory / "config.resolved.yaml";
  if (!fs::exists(config))
    throw Error(fmt::format("cannot {} {}: it has no config.resolved.yaml (not a results folder).", action,
                            directory.string()));
  if (configuration_body(read_file(config)) != configuration_body(resolved_configuration(experiment)))
    throw Error(fmt::format("cannot {} {}: its resolved configuration differs from this one (compare "
                            "{} with the configuration and overrides given).",
                            action, directory.string(), config.string()));
  const auto before = used_plugins_of(directory), now = used_plugins(experiment, plugins);
  for (const auto& [plugin, version] : now)
    if (const auto it = before.find(plugin); it != before.end() && it->second != version)
      throw Error(fmt::format("cannot {} {}: it was run with {} version {}, this ncvx has version {}.", action,
                              directory.string(), plugin, it->second, version));
}

/// A failed run's record (a worker that crashed or timed out before writing it).
JournalRecord failed_record(const Experiment& experiment, std::size_t id, const std::string& message,
                            const std::string& worker) {
  RunResult result;
  result.id = static_cast<Index>(id);
  result.status = RunStatus::failed;
  result.message = message;
  result.summary.assign(experiment.summary_columns.size(), std::nan(""));
  return make_record(experiment, experiment.run(id), result, worker);
}

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

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    const int signal_number = WTERMSIG(status);
    return fmt::format("killed by signal {} ({})", strsignal(signal_number), signal_number);
  }
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  return "ended abnormally";
}

/// What one child process did with the runs it was given.
struct ChildOutcome {
  std::string records;                  ///< complete journal records
  std::set<std::size_t> finished;       ///< their runs
  std::vector<std::size_t> in_flight;   ///< started, no record (what the child was doing when it ended)
  std::string failure;                  ///< "" for a clean exit; else why it ended
};

/// Starts `ncvx worker` on `ids` and follows its output: "#start ID" when a
/// run starts, then the run's journal record. The child is killed when a run
/// it started passes run.max_seconds (plus a grace of ten seconds).
ChildOutcome run_child(const Experiment& experiment, const SweepOptions& options, const std::vector<std::size_t>& ids) {
  std::string list;
  for (std::size_t id : ids) {
    if (!list.empty()) list += ',';
    list += std::to_string(id);
  }
  std::vector<std::string> arguments = {options.executable.string()};
  for (const auto& folder : options.plugin_dirs) {
    arguments.push_back("--plugin-dir");
    arguments.push_back(folder.string());
  }
  for (const std::string& argument : {std::string("worker"), options.directory.string(), std::string("--runs"), list,
                                      std::string("--lockstep"), std::to_string(options.lockstep)})
    arguments.push_back(argument);

  int pipe_ends[2];
  if (::pipe(pipe_ends) != 0) throw Error(fmt::format("cannot create a pipe: {}.", std::strerror(errno)));
  const pid_t child = ::fork();
  if (child < 0) throw Error(fmt::format("cannot start a worker process: {}.", std::strerror(errno)));
  if (child == 0) {
    ::dup2(pipe_ends[1], STDOUT_FILENO);
    ::close(pipe_ends[0]);
    ::close(pipe_ends[1]);
    std::vector<char*> argv;
    for (auto& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  ::close(pipe_ends[1]);

  ChildOutcome outcome;
  std::map<std::size_t, Clock::time_point> started;  // in flight, since when
  std::string pending, record;                       // an unfinished line; the record being read
  bool timed_out = false;
  auto take_line = [&](const std::string& line) {
    if (record.empty() && line.rfind("#start ", 0) == 0) {
      started[std::stoul(line.substr(7))] = Clock::now();
      return;
    }
    record += line + "\n";
    if (line.rfind("#end ", 0) != 0) return;
    for (const auto& parsed : parse_records(record, "a worker's output")) {
      const auto id = static_cast<std::size_t>(parsed.table.id);
      outcome.finished.insert(id);
      started.erase(id);
    }
    outcome.records += record;
    record.clear();
  };
  char buffer[1 << 16];
  while (true) {
    // The longest a started run may still take.
    int wait_ms = 1000;
    for (const auto& [id, since] : started) {
      const double limit = experiment.run(id).settings.max_seconds;
      if (limit <= 0) continue;
      // The run stops itself at the limit; the grace only catches a plugin that hangs.
      const double left = limit * 1.1 + 1.0 - std::chrono::duration<double>(Clock::now() - since).count();
      if (left <= 0) timed_out = true;
      wait_ms = std::min(wait_ms, static_cast<int>(std::max(0.0, left) * 1000.0) + 1);
    }
    if (timed_out) {
      ::kill(child, SIGKILL);
      break;
    }
    pollfd watched{pipe_ends[0], POLLIN, 0};
    const int ready = ::poll(&watched, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;
    const ssize_t count = ::read(pipe_ends[0], buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    pending.append(buffer, static_cast<std::size_t>(count));
    for (std::size_t end; (end = pending.find('\n')) != std::string::npos;) {
      take_line(pending.substr(0, end));
      pending.erase(0, end + 1);
    }
  }
  ::close(pipe_ends[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  for (const auto& [id, since] : started) outcome.in_flight.push_back(id);
  if (timed_out)
    outcome.failure = "timeout: the run passed run.max_seconds and its worker process was killed (isolation)";
  else if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
    outcome.failure = fmt::format("the worker process {} (isolation contained it)", describe_exit(status));
  return outcome;
}

/// Runs one group in child processes: when a child dies (a crash, an abort,
/// a hang past run.max_seconds), the runs it was doing fail with the reason
/// and a new child takes the rest. Returns the group's journal records.
std::string run_isolated(const Experiment& experiment, const SweepOptions& options,
                         const std::vector<std::size_t>& group) {
  std::string records;
  std::vector<std::size_t> left = group;
  while (!left.empty()) {
    const ChildOutcome child = run_child(experiment, options, left);
    records += child.records;
    // A failure before any run started (say, building the instance) fails them all.
    std::set<std::size_t> failed(child.in_flight.begin(), child.in_flight.end());
    if (!child.failure.empty() && failed.empty())
      for (std::size_t id : left)
        if (!child.finished.count(id)) failed.insert(id);
    if (child.failure.empty())  // a clean exit owes a record for every run
      for (std::size_t id : left)
        if (!child.finished.count(id)) failed.insert(id);
    const std::string why = child.failure.empty() ? "the worker process ended without the run's record" : child.failure;
    for (std::size_t id : failed) records += to_text(failed_record(experiment, id, why, "isolated worker"));
    std::vector<std::size_t> rest;
    for (std::size_t id : left)
      if (!child.finished.count(id) && !failed.count(id)) rest.push_back(id);
    left = std::move(rest);
  }
  return records;
}

/// Groups on this process's threads (run_experiment), records as runs finish.
class ThreadExecutor final : public GroupExecutor {
 public:
  ThreadExecutor(const Experiment& experiment, const PluginRegistry& plugins, const SweepOptions& options)
      : experiment_(experiment), plugins_(plugins), options_(options) {}

  void run(const std::vector<std::vector<std::size_t>>& groups, const std::function<void(const JournalRecord&)>& finished,
           const std::function<void(long)>& running) override {
    std::vector<bool> wanted(experiment_.run_count(), false);
    for (const auto& group : groups)
      for (std::size_t id : group) wanted[id] = true;
    RunOptions run_options;
    run_options.threads = options_.threads;
    run_options.lockstep = options_.lockstep;
    run_options.keep_results = false;
    run_options.include = [&](std::size_t id) { return wanted[id]; };
    run_options.on_run_started = [&](const RunSpec&) { running(+1); };
    run_options.on_run_finished = [&](const RunSpec& run, const RunResult& result) {
      running(-1);
      finished(make_record(experiment_, run, result));
    };
    run_experiment(experiment_, plugins_, run_options);
  }

 private:
  const Experiment& experiment_;
  const PluginRegistry& plugins_;
  const SweepOptions& options_;
};

/// Groups in child processes (`ncvx worker`), `threads` at a time (isolation).
class ProcessExecutor final : public GroupExecutor {
 public:
  ProcessExecutor(const Experiment& experiment, const SweepOptions& options)
      : experiment_(experiment), options_(options) {}

  void run(const std::vector<std::vector<std::size_t>>& groups, const std::function<void(const JournalRecord&)>& finished,
           const std::function<void(long)>& running) override {
    if (options_.executable.empty()) throw Error("isolation needs the ncvx executable to start workers");
    std::atomic<std::size_t> next{0};
    std::mutex mutex;
    std::exception_ptr error;
    auto slot = [&] {
      try {
        for (std::size_t g = next++; g < groups.size(); g = next++) {
          running(static_cast<long>(groups[g].size()));
          const std::string text = run_isolated(experiment_, options_, groups[g]);
          running(-static_cast<long>(groups[g].size()));
          for (const auto& record : parse_records(text, "a worker's output")) finished(record);
        }
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
        next = groups.size();
      }
    };
    const unsigned threads = options_.threads ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> slots;
    const std::size_t count = std::min<std::size_t>(threads, groups.size());
    for (std::size_t s = 1; s < count; ++s) slots.emplace_back(slot);
    slot();
    for (auto& thread : slots) thread.join();
    if (error) std::rethrow_exception(error);
  }

 private:
  const Experiment& experiment_;
  const SweepOptions& options_;
};

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

std::string run_group_records(const Experiment& experiment, const PluginRegistry& plugins,
                              const std::vector<std::size_t>& ids, unsigned threads, unsigned lockstep,
                              const std::string& worker) {
  const std::set<std::size_t> wanted(ids.begin(), ids.end());
  RunOptions options;
  options.threads = threads;
  options.lockstep = lockstep;
  options.keep_results = false;
  options.include = [&](std::size_t id) { return wanted.count(id) > 0; };
  std::string records;
  options.on_run_finished = [&](const RunSpec& run, const RunResult& result) {
    records += to_text(make_record(experiment, run, result, worker));
  };
  run_experiment(experiment, plugins, options);
  return records;
}

SweepOutcome run_sweep(const Experiment& experiment, const PluginRegistry& plugins, const SweepOptions& options) {
  const auto started = Clock::now();
  const fs::path& directory = options.directory;
  const fs::path journal_file = directory / kJournalFile;
  SweepOutcome outcome;

  // The folder: new, or resumed from what it holds; ours alone while we write.
  prepare_results_folder(directory);
  const FolderLock lock(directory, options.command_line);
  std::vector<bool> finished(experiment.run_count(), false);
  if (options.resume) {
    check_same_sweep(directory, experiment, plugins, "resume");
    const JournalIndex index = index_journal(journal_file, /*with_tables=*/true);
    outcome.notes = index.damaged;
    if (std::string cut = cut_damaged_tail(index); !cut.empty()) outcome.notes.push_back(std::move(cut));
    for (const TableEntry& entry : index.tables)
      if (entry.id >= 0 && static_cast<std::size_t>(entry.id) < experiment.run_count() &&
          !finished[static_cast<std::size_t>(entry.id)]) {
        finished[static_cast<std::size_t>(entry.id)] = true;
        outcome.table.push_back(entry);
        ++outcome.resumed;
      }
  } else if (fs::exists(journal_file) && fs::file_size(journal_file) > 0) {
    throw Error(fmt::format("{} already holds the journal of a sweep; continue it with --resume {}, or choose another "
                            "folder with --out.",
                            directory.string(), directory.string()));
  }
  write_configuration(directory, experiment);
  write_sweep_meta(directory, experiment, plugins, options, false, 0.0);

  // The work: this shard's instance groups, less what is finished.
  std::vector<std::vector<std::size_t>> groups;
  std::size_t in_shard = 0;
  for (auto& group : plan_groups(experiment, plugins, options.shard)) {
    in_shard += group.size();
    std::vector<std::size_t> left;
    for (std::size_t id : group)
      if (!finished[id]) left.push_back(id);
    if (!left.empty()) groups.push_back(std::move(left));
  }
  std::size_t total_left = 0;
  for (const auto& group : groups) total_left += group.size();

  SweepProgress progress;
  progress.total = in_shard;
  progress.done = in_shard - total_left;
  for (const auto& entry : outcome.table) progress.failed += entry.counts() ? 0 : 1;
  std::mutex mutex;
  std::size_t finished_here = 0;
  auto report = [&](const RunSpec* run, const TableEntry* entry) {
    progress.elapsed = std::chrono::duration<double>(Clock::now() - started).count();
    const std::size_t left = progress.total - progress.done;
    progress.eta = finished_here == 0 ? -1.0
                                      : progress.elapsed / static_cast<double>(finished_here) * static_cast<double>(left);
    progress.run = run;
    progress.result = entry;
    if (options.progress) options.progress(progress);
  };
  report(nullptr, nullptr);

  JournalWriter journal(journal_file);
  auto record_finished = [&](const JournalRecord& record) {  // with `mutex` held
    journal.append(record);
    outcome.table.push_back(record.table);
    ++progress.done;
    ++finished_here;
    if (!record.table.counts()) ++progress.failed;
    const RunSpec run = experiment.run(static_cast<std::size_t>(record.table.id));
    report(&run, &outcome.table.back());
  };

  auto finished_record = [&](const JournalRecord& record) {
    std::lock_guard lock(mutex);
    record_finished(record);
  };
  auto running = [&](long change) {
    std::lock_guard lock(mutex);
    progress.running = static_cast<std::size_t>(static_cast<long>(progress.running) + change);
    report(nullptr, nullptr);
  };
  if (!groups.empty()) {
    if (options.executor) {
      options.executor->run(groups, finished_record, running);
    } else if (options.isolate) {
      ProcessExecutor(experiment, options).run(groups, finished_record, running);
    } else {
      ThreadExecutor(experiment, plugins, options).run(groups, finished_record, running);
    }
  }

  // The files, once every run of the sweep has its record.
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (options.shard.count <= 1) {
    const JournalIndex index = index_journal(journal_file);
    outcome.notes.insert(outcome.notes.end(), index.damaged.begin(), index.damaged.end());
    assemble_results(directory, experiment, {index});
    outcome.complete = true;
  }
  write_sweep_meta(directory, experiment, plugins, options, outcome.complete, seconds);
  std::sort(outcome.table.begin(), outcome.table.end(),
            [](const TableEntry& a, const TableEntry& b) { return a.id < b.id; });
  return outcome;
}

void merge_folders(const std::vector<fs::path>& folders, const fs::path& out, const PluginRegistry& plugins) {
  if (folders.empty()) throw Error("ncvx merge: name the shard folders to merge.");
  const fs::path first_config = folders.front() / "config.resolved.yaml";
  if (!fs::exists(first_config))
    throw Error(fmt::format("{} has no config.resolved.yaml (not a results folder).", folders.front().string()));
  const Experiment experiment = load_experiment(first_config.string(), {}, plugins);
  for (const auto& folder : folders) check_same_sweep(folder, experiment, plugins, "merge");
  prepare_results_folder(out);
  for (const auto& folder : folders)
    if (fs::equivalent(folder, out)) throw Error(fmt::format("ncvx merge: --out {} is one of the shards.", out.string()));
  std::vector<std::string> command_line = {"ncvx", "merge"};
  for (const auto& folder : folders) command_line.push_back(folder.string());
  const FolderLock lock(out, command_line);
  // One journal: every complete record, the first of each run.
  const fs::path journal_file = out / kJournalFile;
  fs::remove(journal_file);
  std::set<Index> seen;
  {
    JournalWriter writer(journal_file);
    for (const auto& folder : folders) {
      const JournalIndex index = index_journal(folder / kJournalFile);
      std::ifstream stream(index.file, std::ios::binary);
      for (const auto& location : index.records)
        if (seen.insert(location.id).second) writer.append(read_record(stream, index.file, location));
    }
  }
  write_atomically(out / "config.resolved.yaml", read_file(first_config));
  assemble_results(out, experiment, {index_journal(journal_file)});
  SweepOptions options;
  options.command_line = command_line;
  write_sweep_meta(out, experiment, plugins, options, true, 0.0);
}

namespace {

/// A results folder's summary, grouped as the comparison table groups it.
struct FolderSummary {
  std::vector<std::string> axes;
  std::string error;
  struct Row {
    std::string method;
    std::vector<std::string> values;
    std::vector<double> final_error, best_error, train, iterations, seconds;
    std::map<std::string, int> statuses;
    std::size_t runs = 0;
  };
  std::vector<Row> rows;
  std::vector<std::pair<std::string, std::string>> problems;  // run label, status: message
};

FolderSummary summarize_folder(const fs::path& folder, std::vector<std::string>& notes) {
  using detail::to_number;
  const detail::Table summary = detail::read_csv(folder / "summary.csv");
  notes.insert(notes.end(), summary.damaged.begin(), summary.damaged.end());
  std::map<std::string, double> seconds_of;
  if (fs::exists(folder / "timing.csv")) {
    const detail::Table timing = detail::read_csv(folder / "timing.csv");
    notes.insert(notes.end(), timing.damaged.begin(), timing.damaged.end());
    for (const auto& row : timing.rows) seconds_of[row[0]] = to_number(row[1]);
  }
  FolderSummary result;
  const int width = summary.column("width"), seed = summary.column("seed");
  if (width < 0 || seed < 0 || seed < width)
    throw Error(fmt::format("{}: summary.csv lacks the width or seed column.", folder.string()));
  result.axes.assign(summary.header.begin() + width + 1, summary.header.begin() + seed);
  for (const auto& name : summary.header)
    if (name.rfind("best_", 0) == 0 && name.find("_iteration") == std::string::npos) result.error = name.substr(5);
  const int final_error = summary.column("final_" + result.error), best_error = summary.column("best_" + result.error),
            train = summary.column("final_train_loss"), iterations = summary.column("iterations"),
            status = summary.column("status"), message = summary.column("message"), method = summary.column("method");
  std::map<std::pair<std::string, std::vector<std::string>>, std::size_t> row_of;
  for (const auto& fields : summary.rows) {
    std::vector<std::string> values(fields.begin() + width + 1, fields.begin() + seed);
    const auto [it, added] = row_of.try_emplace({fields[static_cast<std::size_t>(method)], values}, result.rows.size());
    if (added) result.rows.push_back({fields[static_cast<std::size_t>(method)], values, {}, {}, {}, {}, {}, {}, 0});
    FolderSummary::Row& row = result.rows[it->second];
    const std::string& state = fields[static_cast<std::size_t>(status)];
    ++row.statuses[state];
    ++row.runs;
    if (state != "converged" && state != "budget") {
      result.problems.emplace_back(fmt::format("run {} ({})", fields[0], fields[static_cast<std::size_t>(method)]),
                                   state + ": " + fields[static_cast<std::size_t>(message)]);
      continue;
    }
    auto take = [&](std::vector<double>& values_of, int column) {
      if (column >= 0) values_of.push_back(to_number(fields[static_cast<std::size_t>(column)]));
    };
    take(row.final_error, final_error);
    take(row.best_error, best_error);
    take(row.train, train);
    take(row.iterations, iterations);
    row.seconds.push_back(seconds_of.count(fields[0]) ? seconds_of[fields[0]] : std::nan(""));
  }
  return result;
}

/// The cells of one summarized row: seeds, final, best, train, iterations, seconds, status.
std::vector<std::string> row_cells(const FolderSummary::Row& row, bool train) {
  using detail::median_of;
  using detail::shown;
  std::vector<std::string> cells = {std::to_string(row.runs), shown(median_of(row.final_error), "{:.3e}"),
                                    shown(median_of(row.best_error), "{:.3e}")};
  if (train) cells.push_back(shown(median_of(row.train), "{:.3e}"));
  cells.push_back(shown(median_of(row.iterations), "{:.0f}"));
  cells.push_back(shown(median_of(row.seconds), "{:.3f}"));
  cells.push_back(detail::status_counts(row.statuses, row.runs));
  return cells;
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string base64(const std::string& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned value = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += alphabet[(value >> shift) & 63];
  }
  if (i < bytes.size()) {
    unsigned value = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) value |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += alphabet[(value >> 18) & 63];
    out += alphabet[(value >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(value >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace

std::string compare_folders(const std::vector<fs::path>& folders, std::vector<std::string>& notes) {
  if (folders.empty()) throw Error("ncvx compare: name the results folders to compare.");
  std::vector<FolderSummary> summaries;
  std::vector<std::string> axes;
  std::string error;
  for (const auto& folder : folders) {
    summaries.push_back(summarize_folder(folder, notes));
    for (const auto& axis : summaries.back().axes)
      if (std::find(axes.begin(), axes.end(), axis) == axes.end()) axes.push_back(axis);
    if (error.empty()) error = summaries.back().error;
    else if (error != summaries.back().error)
      notes.push_back(fmt::format("{} reports the error {}, the first folder {}: the error columns mix them.",
                                  folder.string(), summaries.back().error, error));
  }
  const bool train = error != "train_loss";
  std::vector<std::string> header = {"folder", "method"};
  header.insert(header.end(), axes.begin(), axes.end());
  for (const std::string& column : {std::string("seeds"), "final " + error, "best " + error})
    header.push_back(column);
  if (train) header.emplace_back("final train_loss");
  for (const char* column : {"iterations", "seconds", "status"}) header.emplace_back(column);
  std::vector<std::vector<std::string>> cells;
  for (std::size_t f = 0; f < folders.size(); ++f)
    for (const auto& row : summaries[f].rows) {
      std::vector<std::string> line = {folders[f].filename().empty() ? folders[f].parent_path().filename().string()
                                                                     : folders[f].filename().string(),
                                       row.method};
      for (const auto& axis : axes) {
        const auto it = std::find(summaries[f].axes.begin(), summaries[f].axes.end(), axis);
        line.push_back(it == summaries[f].axes.end() ? "" : row.values[static_cast<std::size_t>(it - summaries[f].axes.begin())]);
      }
      const auto rest = row_cells(row, train);
      line.insert(line.end(), rest.begin(), rest.end());
      cells.push_back(std::move(line));
    }
  return detail::render_table(header, cells) + "(medians over the seeds that converged or used their budget)\n";
}

fs::path write_report(const fs::path& directory, const fs::path& out) {
  std::vector<std::string> notes;
  const FolderSummary summary = summarize_folder(directory, notes);
  const std::string config = read_file(directory / "config.resolved.yaml");
  const bool train = summary.error != "train_loss";
  std::string name = directory.filename().empty() ? directory.parent_path().filename().string()
                                                  : directory.filename().string();
  try {  // the experiment's name, with the folder's
    const ConfigNode tree = parse_config_text(config, {(directory / "config.resolved.yaml").string(), 0, 0, ""});
    if (const ConfigNode* given = tree.find("name"); given && given->is_scalar() && given->scalar != name)
      name = given->scalar + " (" + name + ")";
  } catch (const Error&) {
  }

  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>ncvx report: " +
                     html_escape(name) + "</title>\n<style>\n"
                     "body{font-family:sans-serif;margin:2em;max-width:80em}\n"
                     "table{border-collapse:collapse;font-size:90%}\n"
                     "th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:right}\n"
                     "th{background:#eee;cursor:pointer;user-select:none}\n"
                     "td:first-child,th:first-child{text-align:left}\n"
                     "pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:85%}\n"
                     "img{max-width:100%;border:1px solid #ddd;margin:0.5em 0}\n"
                     ".failed{color:#a00}\n</style></head>\n<body data-images-loaded=\"0\">\n";
  html += "<h1>" + html_escape(name) + "</h1>\n";

  // The comparison table (sortable by a click on a column's header).
  html += "<h2>Comparison</h2>\n<p>Medians over the seeds that converged or used their budget; click a column to "
          "sort.</p>\n<table id=\"comparison\"><thead><tr><th>method</th>";
  for (const auto& axis : summary.axes) html += "<th>" + html_escape(axis) + "</th>";
  html += "<th>seeds</th><th>final " + html_escape(summary.error) + "</th><th>best " + html_escape(summary.error) +
          "</th>";
  if (train) html += "<th>final train_loss</th>";
  html += "<th>iterations</th><th>seconds</th><th>status</th></tr></thead>\n<tbody>\n";
  for (const auto& row : summary.rows) {
    html += "<tr><td>" + html_escape(row.method) + "</td>";
    for (const auto& value : row.values) html += "<td>" + html_escape(value) + "</td>";
    for (const auto& cell : row_cells(row, train)) html += "<td>" + html_escape(cell) + "</td>";
    html += "</tr>\n";
  }
  html += "</tbody></table>\n";

  // Every figure, inline.
  const fs::path figures = directory / "figures";
  std::vector<fs::path> images;
  if (fs::is_directory(figures))
    for (const auto& entry : fs::directory_iterator(figures))
      if (entry.path().extension() == ".png") images.push_back(entry.path());
  std::sort(images.begin(), images.end());
  html += fmt::format("<h2>Figures</h2>\n<p>{} figure{}{}</p>\n", images.size(), images.size() == 1 ? "" : "s",
                      images.empty() ? " (draw them with <code>ncvx plot</code>)" : "");
  for (const auto& image : images)
    html += "<figure><img class=\"figure\" alt=\"" + html_escape(image.stem().string()) +
            "\" src=\"data:image/png;base64," + base64(read_file(image)) + "\"><figcaption>" +
            html_escape(image.stem().string()) + "</figcaption></figure>\n";

  // Runs that did not count.
  html += fmt::format("<h2>Runs that failed or diverged</h2>\n<p>{} run{}</p>\n", summary.problems.size(),
                      summary.problems.size() == 1 ? "" : "s");
  if (!summary.problems.empty()) {
    html += "<table id=\"problems\"><thead><tr><th>run</th><th>status and message</th></tr></thead><tbody>\n";
    for (const auto& [run, why] : summary.problems)
      html += "<tr class=\"failed\"><td>" + html_escape(run) + "</td><td style=\"text-align:left\">" +
              html_escape(why) + "</td></tr>\n";
    html += "</tbody></table>\n";
  }
  for (const auto& note : notes) html += "<p class=\"failed\">" + html_escape(note) + "</p>\n";

  html += "<h2>Resolved configuration</h2>\n<pre>" + html_escape(config) + "</pre>\n";
  // Sorting, and a count of the figures that decoded (a check for headless browsers).
  html += R"(<script>
document.querySelectorAll('#comparison th').forEach(function (header, column) {
  header.addEventListener('click', function () {
    var body = header.closest('table').tBodies[0];
    var rows = Array.from(body.rows);
    var ascending = header.dataset.order !== 'ascending';
    header.dataset.order = ascending ? 'ascending' : 'descending';
    rows.sort(function (a, b) {
      var x = a.cells[column].textContent, y = b.cells[column].textContent;
      var p = parseFloat(x), q = parseFloat(y);
      var order = (!isNaN(p) && !isNaN(q)) ? p - q : x.localeCompare(y);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
});
function countLoaded() {
  var loaded = Array.from(document.images).filter(function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.dataset.imagesLoaded = String(loaded.length);
  document.body.dataset.tableRows = String(document.querySelectorAll('#comparison tbody tr').length);
}
window.addEventListener('load', countLoaded);
countLoaded();
</script>
</body></html>
)";
  const fs::path file = out.empty() ? directory / "report.html" : out;
  write_atomically(file, html);
  return file;
}

}  // namespace ncvx
