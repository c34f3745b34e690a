// ncvx run CONFIG [key.path=value ...] [--out DIR | --resume DIR] [--shard I/N] [--isolate]
//          [--threads N] [--lockstep K] [--quiet]
// ncvx worker DIR --runs IDS [--report-fd FD]   (internal: one group of an isolated sweep)

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "commands.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/study/contained.hpp"
#include "ncvx/study/experiment.hpp"
#include "ncvx/study/folder_lock.hpp"
#include "ncvx/study/interrupt.hpp"
#include "ncvx/study/journal.hpp"
#include "ncvx/study/run_loop.hpp"
#include "ncvx/study/sweep.hpp"
#include "ncvx/version.hpp"

namespace ncvx::cli {

namespace fs = std::filesystem;

namespace {

std::string timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%d-%H%M%S", &tm);
  return buffer;
}

std::string clock_text(double seconds) {
  if (seconds < 0) return "?";
  const long total = static_cast<long>(std::llround(seconds));
  return fmt::format("{:02}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
}

/// Progress on stderr: on a terminal a live line (runs done/total, running,
/// failed, elapsed, ETA), elsewhere a plain line every ten seconds; runs that
/// fail or diverge get a line of their own.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool quiet) : quiet_(quiet), terminal_(::isatty(STDERR_FILENO) == 1) {}

  void operator()(const SweepProgress& progress) {
    if (quiet_) return;
    if (progress.run && progress.result && !progress.result->counts()) {
      clear();
      const RunSpec& run = *progress.run;
      std::string swept;
      for (const auto& value : run.swept) swept += fmt::format(" {}={}", value.axis, value.value);
      std::cerr << fmt::format("run {} {}{} seed={}: {}\n", run.id, run.method.label, swept, run.seed,
                               to_string(progress.result->status));
    }
    const std::string line =
        fmt::format("runs {}/{} done, {} running, {} failed, {} elapsed, ETA {}", progress.done, progress.total,
                    std::min(progress.running, progress.total - progress.done), progress.failed,
                    clock_text(progress.elapsed), clock_text(progress.eta));
    const auto now = std::chrono::steady_clock::now();
    const bool last = progress.done == progress.total;
    if (terminal_) {
      std::cerr << "\r\033[K" << line << std::flush;
      shown_ = true;
      if (last) finish();
    } else if (last || now - printed_ >= std::chrono::seconds(10) || first_) {
      std::cerr << line << "\n";
      printed_ = now;
      first_ = false;
    }
  }

  void finish() {
    if (shown_) std::cerr << "\n";
    shown_ = false;
  }

 private:
  void clear() {
    if (terminal_ && shown_) std::cerr << "\r\033[K";
  }

  bool quiet_, terminal_;
  bool shown_ = false, first_ = true;
  std::chrono::steady_clock::time_point printed_{};
};

// A plugin that calls exit() in the middle of a sweep would end `ncvx run`
// with status 0 and no results; this handler, run by exit(), says so and
// makes the status non-zero.
std::atomic<bool> sweep_in_progress{false};
std::string resume_hint;  // set before sweep_in_progress

void exit_during_sweep() {
  if (!sweep_in_progress.load()) return;
  std::cerr << "\nerror: something called exit() while the sweep was running (a plugin?); the runs it had not "
               "finished have no record. "
            << resume_hint << "\n";
  std::cerr.flush();
  std::_Exit(3);
}

struct RunArguments {
  std::string config, out, resume, shard;
  std::vector<std::string> overrides;
  unsigned threads = 0, lockstep = 8;
  bool quiet = false, isolate = false;
};

/// `text` as one shell word (quoted when it needs to be), for a command to copy.
std::string shell_word(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") ==
                           std::string::npos)
    return text;
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

/// The command that continues the sweep in `directory`.
std::string resume_command(const RunArguments& arguments, const fs::path& directory) {
  std::string command = "ncvx run " + shell_word(arguments.config);
  for (const auto& override : arguments.overrides) command += " " + shell_word(override);
  if (!arguments.shard.empty()) command += " --shard " + shell_word(arguments.shard);
  if (arguments.isolate) command += " --isolate";
  return command + " --resume " + shell_word(directory.string());
}

/// The results folder: --resume's, --out's, or a new results/<name>-<time>[-N].
fs::path results_folder(const RunArguments& arguments, const Experiment& experiment) {
  if (!arguments.resume.empty() && !arguments.out.empty() && fs::path(arguments.resume) != fs::path(arguments.out))
    throw Error("give either --out DIR or --resume DIR (the folder to continue), not both.");
  if (!arguments.resume.empty()) return arguments.resume;
  if (!arguments.out.empty()) return arguments.out;
  return create_unique_folder(fs::path("results") / (safe_file_name(experiment.name) + "-" + timestamp()));
}

/// The options of a sweep from the command line (the results folder created
/// or checked here).
SweepOptions sweep_options(Tool& tool, const RunArguments& arguments, const Experiment& experiment,
                           GroupExecutor* coordinator) {
  SweepOptions options;
  options.directory = results_folder(arguments, experiment);
  options.resume = !arguments.resume.empty();
  options.threads = arguments.threads ? arguments.threads : std::max(1u, std::thread::hardware_concurrency());
  options.executor = coordinator;
  options.lockstep = std::max(1u, arguments.lockstep);
  if (!arguments.shard.empty()) options.shard = parse_shard(arguments.shard);
  options.isolate = arguments.isolate;
  options.executable = fs::read_symlink("/proc/self/exe");
  options.plugin_dirs = tool.plugin_folders();
  options.command_line = tool.command_line();
  return options;
}

/// "ncvx 0.2.0: 6 runs (2 methods, 3 seeds) on 2 threads -> DIR" on stderr.
void announce(const Experiment& experiment, const SweepOptions& options, const MpiSession* mpi) {
  std::cerr << fmt::format("ncvx {}: {} runs ({} methods, {} seeds){} on {} threads{} -> {}\n", NCVX_VERSION_STRING,
                           experiment.run_count(), experiment.method_labels.size(), experiment.seeds.size(),
                           options.shard.count > 1
                               ? fmt::format(", shard {}/{}", options.shard.index + 1, options.shard.count)
                               : "",
                           options.threads,
                           mpi                ? fmt::format(" x {} MPI worker ranks", mpi->size() - 1)
                           : options.isolate ? std::string(", isolated")
                                              : std::string(),
                           options.directory.string());
}

/// The sweep, with Ctrl-C stopping it between runs and exit() reported.
SweepOutcome run_watched(const Experiment& experiment, const PluginRegistry& registry, SweepOptions& options,
                         const std::string& resume) {
  resume_hint = "Continue it with: " + resume;
  std::atexit(exit_during_sweep);
  const StopOnInterrupt interrupt(
      "\nstopping: no new run starts; runs on threads finish, workers stop (Ctrl-C again to stop at once)\n");
  options.stop = interrupt.flag();
  struct InProgress {
    InProgress() { sweep_in_progress = true; }
    ~InProgress() { sweep_in_progress = false; }
  } in_progress;
  return run_sweep(experiment, registry, options);
}

/// What the user sees at the end: the table and the folder (or how to resume).
int report_outcome(const Experiment& experiment, const SweepOptions& options, const SweepOutcome& outcome,
                   const RunArguments& arguments, const std::string& resume) {
  if (outcome.interrupted) {
    std::cerr << fmt::format("interrupted: {} of {} runs have a record in {} (marked interrupted in its meta.json).\n"
                             "Continue with: {}\n",
                             outcome.table.size(), experiment.run_count(), options.directory.string(), resume);
    return 130;
  }
  for (const auto& note : outcome.notes) std::cerr << "warning: " << note << "\n";
  if (outcome.resumed > 0 && !arguments.quiet)
    std::cerr << fmt::format("resumed: {} runs were already finished\n", outcome.resumed);
  std::cout << "\n" << experiment.name << "\n" << comparison_table(experiment, outcome.table);
  std::cout << fmt::format("\nresults: {}{}\n", options.directory.string(),
                           outcome.complete ? "" : " (a shard: join the shards with `ncvx merge`)");
  if (outcome.complete && experiment.run_count() > 0 && experiment.run(0).settings.plot)
    draw_figures(options.directory);
  return 0;
}

int run(Tool& tool, const RunArguments& arguments) {
  const PluginRegistry& registry = tool.plugins();
  for (const auto& failure : registry.failures()) std::cerr << "warning: " << failure.reason << "\n";
  // Loading builds every plugin the configuration names: with --isolate, first in a child process.
  if (arguments.isolate)
    contained("loading the configuration", [&] {
      load_experiment(arguments.config, arguments.overrides, registry);
      return std::string();
    });
  const Experiment experiment = load_experiment(arguments.config, arguments.overrides, registry);
  MpiSession* mpi = tool.mpi();
  if (mpi && mpi->rank() > 0) {
    mpi_worker(*mpi, experiment, registry,
               arguments.threads ? arguments.threads : std::max(1u, std::thread::hardware_concurrency()),
               std::max(1u, arguments.lockstep));
    return 0;
  }
  std::unique_ptr<GroupExecutor> coordinator;
  if (mpi) {
    if (arguments.isolate) throw Error("--isolate and MPI do not combine; under mpirun each rank is a process already.");
    coordinator = mpi_coordinator(*mpi);
  }
  SweepOptions options = sweep_options(tool, arguments, experiment, coordinator.get());
  if (!arguments.quiet) announce(experiment, options, mpi);
  ProgressPrinter printer(arguments.quiet);
  options.progress = [&](const SweepProgress& progress) { printer(progress); };
  const std::string resume = resume_command(arguments, options.directory);
  const SweepOutcome outcome = run_watched(experiment, registry, options, resume);
  printer.finish();
  return report_outcome(experiment, options, outcome, arguments, resume);
}

/// Writes all of `text` on a descriptor.
void write_all(int descriptor, const std::string& text) {
  for (std::size_t written = 0; written < text.size();) {
    const ssize_t count = ::write(descriptor, text.data() + written, text.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) throw Error(fmt::format("a worker cannot write its report: {}.", std::strerror(errno)));
    written += static_cast<std::size_t>(count);
  }
}

/// `ncvx worker DIR --runs IDS`: runs part of the sweep whose resolved
/// configuration DIR holds and writes "#start ID" as each run starts,
/// "#progress ID T" about once a second, and the run's journal record as it
/// finishes on `report` (stdout by default), so the parent knows which run a
/// crash or a hang interrupted. The runner serializes these calls.
int worker(Tool& tool, const std::string& directory, const std::string& runs, unsigned lockstep, int report) {
  const Experiment experiment = load_experiment((fs::path(directory) / "config.resolved.yaml").string(), {},
                                                tool.plugins());
  std::set<std::size_t> wanted;
  std::stringstream list(runs);
  for (std::string id; std::getline(list, id, ',');) wanted.insert(std::stoul(id));
  RunOptions options;
  options.threads = 1;
  options.lockstep = std::max(1u, lockstep);
  options.keep_results = false;
  options.include = [&](std::size_t id) { return wanted.count(id) > 0; };
  const std::string worker_name = fmt::format("process {}", ::getpid());
  options.on_run_started = [&](const RunSpec& run) { write_all(report, fmt::format("#start {}\n", run.id)); };
  options.on_run_progress = [&](const RunSpec& run, Index iterations) {
    write_all(report, fmt::format("#progress {} {}\n", run.id, iterations));
  };
  options.on_run_finished = [&](const RunSpec& run, const RunResult& result) {
    write_all(report, to_text(make_record(experiment, run, result, worker_name)));
  };
  run_experiment(experiment, tool.plugins(), options);
  return 0;
}

}  // namespace

Command add_run(CLI::App& app, Tool& tool) {
  auto* command = app.add_subcommand("run", "run the experiment described by a YAML file");
  auto arguments = std::make_shared<RunArguments>();
  command->add_option("config", arguments->config, "the experiment's YAML file")->required()->check(CLI::ExistingFile);
  command->add_option("overrides", arguments->overrides, "key.path=value settings applied on top of the file");
  command->add_option("--out,-o", arguments->out, "results folder (default results/<name>-<time>)")->type_name("DIR");
  command
      ->add_option("--resume", arguments->resume,
                   "continue the sweep of this results folder: only the runs without a record run")
      ->type_name("DIR");
  command
      ->add_option("--shard", arguments->shard,
                   "run only part I of N of the sweep (whole instance groups, balanced by cost); join the "
                   "parts with `ncvx merge`")
      ->type_name("I/N");
  command->add_flag("--isolate", arguments->isolate,
                    "run each instance group in its own process: a plugin that crashes or hangs fails its runs "
                    "and the sweep goes on");
  command->add_option("--threads,-j", arguments->threads,
                      "runs executed in parallel (default: all cores); results do not depend on it");
  command->add_flag("--quiet,-q", arguments->quiet, "print only the comparison table");
  command
      ->add_option("--lockstep", arguments->lockstep,
                   "runs sharing a large instance advance in groups of this many, one pass over the "
                   "operator per step for the group (1: off); results do not depend on it")
      ->capture_default_str();
  return {command, [&tool, arguments] { return run(tool, *arguments); }};
}

Command add_worker(CLI::App& app, Tool& tool) {
  auto* command = app.add_subcommand("worker", "(internal) run part of an isolated sweep");
  command->group("");  // not listed in --help
  struct Options {
    std::string directory, runs;
    unsigned lockstep = 8;
    int report = STDOUT_FILENO;
  };
  auto options = std::make_shared<Options>();
  command->add_option("directory", options->directory)->required();
  command->add_option("--runs", options->runs)->required();
  command->add_option("--lockstep", options->lockstep);
  command->add_option("--report-fd", options->report);
  return {command, [&tool, options] {
    return worker(tool, options->directory, options->runs, options->lockstep, options->report);
  }};
}

}  // namespace ncvx::cli
