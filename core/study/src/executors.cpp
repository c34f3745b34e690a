#include "executors.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "ncvx/errors.hpp"
#include "ncvx/study/run_loop.hpp"

namespace ncvx {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

JournalRecord failed_record(const Experiment& experiment, std::size_t id, const std::string& message,
                            const std::string& worker) {
  RunResult result;
  result.id = static_cast<Index>(id);
  result.status = RunStatus::failed;
  result.message = message;
  result.summary.assign(experiment.summary_columns.size(), std::nan(""));
  return make_record(experiment, experiment.run(id), result, worker);
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

namespace {

// ---------------------------------------------------------------- threads

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
    run_options.stop = options_.stop;
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

// ---------------------------------------------------------------- child processes

/// The descriptor a worker writes its reports on (its own pipe, not stdout).
constexpr int kReportDescriptor = 3;

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    const int signal_number = WTERMSIG(status);
    return fmt::format("killed by signal {} ({})", strsignal(signal_number), signal_number);
  }
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  return "ended abnormally";
}

std::vector<std::string> worker_arguments(const SweepOptions& options, const std::vector<std::size_t>& ids) {
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
  for (const std::string& argument :
       {std::string("worker"), options.directory.string(), std::string("--runs"), list, std::string("--lockstep"),
        std::to_string(options.lockstep), std::string("--report-fd"), std::to_string(kReportDescriptor)})
    arguments.push_back(argument);
  return arguments;
}

/// A started worker: its process and the read end of its report pipe.
struct Worker {
  pid_t pid = -1;
  int reports = -1;
};

/// Starts a worker. In the child, before exec (only async-signal-safe calls
/// there): the report pipe on descriptor 3, stdout onto stderr, death with
/// this process.
Worker start_worker(std::vector<std::string> arguments) {
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  int pipe_ends[2];
  if (::pipe2(pipe_ends, O_CLOEXEC) != 0) throw Error(fmt::format("cannot create a pipe: {}.", std::strerror(errno)));
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) throw Error(fmt::format("cannot start a worker process: {}.", std::strerror(errno)));
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) std::_Exit(125);  // the parent died before prctl took effect
    ::dup2(pipe_ends[1], kReportDescriptor);     // dup2 clears close-on-exec on the copy
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
    ::signal(SIGINT, SIG_IGN);  // a Ctrl-C at the terminal is the parent's to handle
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  ::close(pipe_ends[1]);
  return {child, pipe_ends[0]};
}

/// What one worker did with the runs it was given.
struct ChildOutcome {
  std::set<std::size_t> finished;      ///< runs whose record came
  std::vector<std::size_t> in_flight;  ///< started, no record (what the child was doing when it ended)
  std::string failure;                 ///< "" for a clean exit; else why it ended
  bool stopped = false;                ///< killed because the sweep was stopped (no failure)
};

/// Reads a worker's reports: "#start ID" when a run starts, then each run's
/// record, passed to `finished` as it completes.
class ReportReader {
 public:
  ReportReader(ChildOutcome& outcome, const std::function<void(const JournalRecord&)>& finished)
      : outcome_(outcome), finished_(finished) {}

  void take(const char* bytes, std::size_t count) {
    pending_.append(bytes, count);
    for (std::size_t end; (end = pending_.find('\n')) != std::string::npos;) {
      take_line(pending_.substr(0, end));
      pending_.erase(0, end + 1);
    }
  }

  /// A run in flight: when it started, and its last progress report.
  struct InFlight {
    Clock::time_point started;
    Index iterations = 0;
    Clock::time_point reported;
  };
  /// Runs started and not finished.
  const std::map<std::size_t, InFlight>& started() const { return started_; }

 private:
  void take_line(const std::string& line) {
    if (record_.empty() && line.rfind("#start ", 0) == 0) {
      const auto now = Clock::now();
      started_[std::stoul(line.substr(7))] = {now, 0, now};
      return;
    }
    if (record_.empty() && line.rfind("#progress ", 0) == 0) {
      std::istringstream fields(line.substr(10));
      std::size_t id = 0;
      Index iterations = 0;
      if (fields >> id >> iterations)
        if (const auto it = started_.find(id); it != started_.end()) {
          it->second.iterations = iterations;
          it->second.reported = Clock::now();
        }
      return;
    }
    record_ += line + "\n";
    if (line.rfind("#end ", 0) != 0) return;
    for (const auto& parsed : parse_records(record_, "a worker's report")) {
      const auto id = static_cast<std::size_t>(parsed.table.id);
      outcome_.finished.insert(id);
      started_.erase(id);
      finished_(parsed);
    }
    record_.clear();
  }

  ChildOutcome& outcome_;
  const std::function<void(const JournalRecord&)>& finished_;
  std::map<std::size_t, InFlight> started_;
  std::string pending_, record_;  // an unfinished line; the record being read
};

/// The seconds a run in a worker may take: run.max_seconds (with a grace:
/// the run stops itself at the limit; the grace only catches a plugin that
/// hangs), or, when it sets none, a limit derived from its budget and its
/// speed so far: ten times the time its iterations project (from its last
/// progress report) plus ten minutes, or an hour before its first iteration.
double time_limit(const RunSpec& run, const ReportReader::InFlight& flight) {
  const double limit = run.settings.max_seconds;
  if (limit > 0) return limit * 1.1 + 1.0;
  // The ten minutes; NCVX_HANG_GRACE (seconds) shortens them for the tests.
  static const double grace = [] {
    const char* text = std::getenv("NCVX_HANG_GRACE");
    const double value = text ? std::atof(text) : 0.0;
    return value > 0 ? value : 600.0;
  }();
  if (flight.iterations < 1) return 6.0 * grace;
  const double per_iteration =
      std::chrono::duration<double>(flight.reported - flight.started).count() / static_cast<double>(flight.iterations);
  return 10.0 * per_iteration * static_cast<double>(std::max<Index>(1, run.settings.iterations)) + grace;
}

/// How long the poll may wait before a started run passes its time limit;
/// negative (and `which` the run) when one has passed it.
int wait_ms(const Experiment& experiment, const std::map<std::size_t, ReportReader::InFlight>& started,
            std::size_t& which) {
  int wait = 1000;
  for (const auto& [id, flight] : started) {
    const double left = time_limit(experiment.run(id), flight) -
                        std::chrono::duration<double>(Clock::now() - flight.started).count();
    if (left <= 0) {
      which = id;
      return -1;
    }
    wait = std::min(wait, static_cast<int>(left * 1000.0) + 1);
  }
  return wait;
}

/// Runs `ids` in one worker and follows it until it ends (or is killed for a
/// run that hangs past its limit).
ChildOutcome run_child(const Experiment& experiment, const SweepOptions& options, const std::vector<std::size_t>& ids,
                       const std::function<void(const JournalRecord&)>& finished) {
  const Worker worker = start_worker(worker_arguments(options, ids));
  ChildOutcome outcome;
  ReportReader reader(outcome, finished);
  int timed_out = 0;  // 1: past run.max_seconds; 2: past the limit derived from its budget
  char buffer[1 << 16];
  while (true) {
    if (options.stop && options.stop->load()) {
      outcome.stopped = true;
      ::kill(worker.pid, SIGKILL);
      break;
    }
    std::size_t late = 0;
    const int wait = std::min(wait_ms(experiment, reader.started(), late), 200);
    if (wait < 0) {
      timed_out = experiment.run(late).settings.max_seconds > 0 ? 1 : 2;
      ::kill(worker.pid, SIGKILL);
      break;
    }
    pollfd watched{worker.reports, POLLIN, 0};
    const int ready = ::poll(&watched, 1, wait);
    if (ready <= 0) continue;  // a timeout, or EINTR
    const ssize_t count = ::read(worker.reports, buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    reader.take(buffer, static_cast<std::size_t>(count));
  }
  ::close(worker.reports);
  int status = 0;
  while (::waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
  }
  for (const auto& [id, since] : reader.started()) outcome.in_flight.push_back(id);
  if (outcome.stopped) return outcome;
  if (timed_out == 1)
    outcome.failure = "timeout: the run passed run.max_seconds and its worker process was killed (isolation)";
  else if (timed_out == 2)
    outcome.failure = "timeout: the run took more than ten times what its iterations so far project (plus ten "
                      "minutes), or an hour before its first iteration, and its worker process was killed "
                      "(isolation's default limit; set run.max_seconds to choose one)";
  else if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
    outcome.failure = fmt::format("the worker process {} (isolation contained it)", describe_exit(status));
  return outcome;
}

/// Runs one group in workers: when one dies, the runs it was doing fail with
/// the reason and a new worker takes the rest.
void run_isolated(const Experiment& experiment, const SweepOptions& options, const std::vector<std::size_t>& group,
                  const std::function<void(const JournalRecord&)>& finished) {
  std::vector<std::size_t> left = group;
  while (!left.empty()) {
    const ChildOutcome child = run_child(experiment, options, left, finished);
    if (child.stopped) return;  // the runs without a record are left to --resume
    // A failure before any run started (say, building the instance) fails them all,
    // and a clean exit owes a record for every run.
    std::set<std::size_t> failed(child.in_flight.begin(), child.in_flight.end());
    if (child.failure.empty() || failed.empty())
      for (std::size_t id : left)
        if (!child.finished.count(id)) failed.insert(id);
    const std::string why = child.failure.empty() ? "the worker process ended without the run's record" : child.failure;
    for (std::size_t id : failed) finished(failed_record(experiment, id, why, "isolated worker"));
    std::vector<std::size_t> rest;
    for (std::size_t id : left)
      if (!child.finished.count(id) && !failed.count(id)) rest.push_back(id);
    left = std::move(rest);
  }
}

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
          if (options_.stop && options_.stop->load()) break;
          running(static_cast<long>(groups[g].size()));
          std::size_t reported = 0;
          run_isolated(experiment_, options_, groups[g], [&](const JournalRecord& record) {
            running(-1);
            ++reported;
            finished(record);
          });
          running(-static_cast<long>(groups[g].size() - std::min(reported, groups[g].size())));
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

std::unique_ptr<GroupExecutor> thread_executor(const Experiment& experiment, const PluginRegistry& plugins,
                                               const SweepOptions& options) {
  return std::make_unique<ThreadExecutor>(experiment, plugins, options);
}

std::unique_ptr<GroupExecutor> process_executor(const Experiment& experiment, const SweepOptions& options) {
  return std::make_unique<ProcessExecutor>(experiment, options);
}

}  // namespace ncvx
