// ncvx: the command-line tool.
//
//   ncvx run CONFIG [key.path=value ...] [--out DIR | --resume DIR] [--shard I/N] [--isolate]
//            [--threads N] [--lockstep K] [--quiet]
//   ncvx merge DIR ... --out DIR
//   ncvx compare DIR ...
//   ncvx report DIR [--out FILE]
//   ncvx plot DIR [--figure NAME ...]
//   ncvx plugins
//   ncvx describe NAME
//   ncvx check NAME [key=value ...] [--n N] | --all
//   ncvx worker DIR --runs IDS      (internal: one group of an isolated sweep)
//   ncvx --version
//
// Global option: --plugin-dir DIR (repeatable), searched before
// NCVX_PLUGIN_PATH and the default plugin folder.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>


#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "ncvx/conformance.hpp"
#include "ncvx/experiment.hpp"
#include "ncvx/folder_lock.hpp"
#include "ncvx/journal.hpp"
#include "ncvx/output.hpp"
#include "ncvx/plot.hpp"
#include "ncvx/plugin_registry.hpp"
#include "ncvx/runner.hpp"
#include "ncvx/sweep.hpp"
#include "ncvx/version.hpp"
#include "mpi.hpp"

namespace {

namespace fs = std::filesystem;

std::string timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%d-%H%M%S", &tm);
  return buffer;
}

void print_failures(const ncvx::PluginRegistry& registry) {
  for (const auto& failure : registry.failures()) std::cerr << "warning: " << failure.reason << "\n";
}

int list_plugins(const ncvx::PluginRegistry& registry) {
  std::vector<std::vector<std::string>> rows = {{"kind", "name", "version", "abi", "library", "description"}};
  for (const auto* plugin : registry.plugins())
    rows.push_back({ncvx::to_string(plugin->info().kind), plugin->info().name, plugin->info().version,
                    std::to_string(plugin->abi().abi_version), plugin->file().string(),
                    plugin->info().summary});
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c)
      line += c + 1 == row.size() ? row[c] : fmt::format("{:<{}}  ", row[c], widths[c]);
    std::cout << line << "\n";
  }
  std::vector<std::string> folders;
  for (const auto& folder : registry.folders()) folders.push_back(folder.string());
  std::cout << fmt::format("\nsearched: {}\n", fmt::join(folders, ", "));
  if (!registry.failures().empty()) {
    std::cout << "\nnot loaded:\n";
    for (const auto& failure : registry.failures()) std::cout << "  " << failure.reason << "\n";
    return 1;
  }
  return 0;
}

int describe(const ncvx::PluginRegistry& registry, const std::string& name) {
  std::vector<const ncvx::LoadedPlugin*> matches;
  std::vector<std::string> all;
  for (const auto* plugin : registry.plugins()) {
    all.push_back(plugin->info().name);
    if (plugin->info().name == name) matches.push_back(plugin);
  }
  if (matches.empty()) {
    const std::string guess = ncvx::nearest(name, all);
    std::cerr << fmt::format("error: no plugin named '{}'{} Plugins: {}.\n", name,
                             guess.empty() ? "." : "; did you mean '" + guess + "'?",
                             fmt::join(all, ", "));
    return 2;
  }
  for (const auto* plugin : matches) {
    const auto& info = plugin->info();
    std::cout << fmt::format("{} `{}` (version {}, {})\n  {}\n\n", ncvx::to_string(info.kind),
                             info.name, info.version, plugin->file().string(), info.summary);
    if (info.parameters.empty()) {
      std::cout << "  no parameters\n";
      continue;
    }
    std::vector<std::vector<std::string>> rows = {{"parameter", "type", "default", "range", "description"}};
    for (const auto& spec : info.parameters)
      rows.push_back({spec.name, ncvx::to_string(spec.type), ncvx::to_string(spec.default_value),
                      spec.constraint(), spec.description});
    std::vector<std::size_t> widths(5, 0);
    for (const auto& row : rows)
      for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
    for (const auto& row : rows)
      std::cout << fmt::format("  {:<{}}  {:<{}}  {:<{}}  {:<{}}  {}\n", row[0], widths[0], row[1],
                               widths[1], row[2], widths[2], row[3], widths[3], row[4]);
  }
  return 0;
}

int check(const ncvx::PluginRegistry& registry, const std::vector<std::string>& arguments, bool all,
          ncvx::Index n) {
  // Plugin names, then key=value parameters of the (single) plugin named.
  std::vector<std::string> names, assignments;
  for (const auto& argument : arguments)
    (argument.find('=') == std::string::npos ? names : assignments).push_back(argument);
  if (!assignments.empty() && (all || names.size() != 1)) {
    std::cerr << "error: key=value parameters apply to one plugin: ncvx check NAME key=value ...\n";
    return 2;
  }
  std::vector<const ncvx::LoadedPlugin*> chosen;
  std::vector<std::string> known;
  for (const auto* plugin : registry.plugins()) known.push_back(plugin->info().name);
  for (const auto* plugin : registry.plugins())
    if (all || std::find(names.begin(), names.end(), plugin->info().name) != names.end())
      chosen.push_back(plugin);
  for (const auto& name : names)
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      const std::string guess = ncvx::nearest(name, known);
      std::cerr << fmt::format("error: no plugin named '{}'{} Plugins: {}.\n", name,
                               guess.empty() ? "." : "; did you mean '" + guess + "'?",
                               fmt::join(known, ", "));
      return 2;
    }
  if (chosen.empty()) {
    std::cerr << "error: name a plugin to check, or --all.\n";
    return 2;
  }
  ncvx::ConformanceOptions options;
  options.n = n;
  int failed = 0;
  for (const auto* plugin : chosen) {
    const ncvx::ParameterValues values = ncvx::parse_parameter_assignments(plugin->info(), assignments);
    const auto checks = ncvx::check_plugin(*plugin, values, options);
    const bool passed = ncvx::all_passed(checks);
    const bool skipped = std::all_of(checks.begin(), checks.end(), [](const ncvx::ConformanceCheck& c) {
      return c.outcome == ncvx::CheckOutcome::skipped;
    });
    failed += passed ? 0 : 1;
    std::cout << fmt::format("{}: {}\n", plugin->describe(),
                             skipped ? "not checked" : passed ? "conforms" : "DOES NOT CONFORM")
              << ncvx::conformance_table(checks) << "\n";
  }
  if (chosen.size() > 1)
    std::cout << fmt::format("{} of {} plugins conform\n", chosen.size() - static_cast<std::size_t>(failed),
                             chosen.size());
  return failed ? 1 : 0;
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
  ProgressPrinter(const ncvx::Experiment& experiment, bool quiet)
      : experiment_(experiment), quiet_(quiet), terminal_(::isatty(STDERR_FILENO) == 1) {}

  void operator()(const ncvx::SweepProgress& progress) {
    if (quiet_) return;
    if (progress.run && progress.result && !progress.result->counts()) {
      clear();
      const ncvx::RunSpec& run = *progress.run;
      std::string swept;
      for (const auto& value : run.swept) swept += fmt::format(" {}={}", value.axis, value.value);
      std::cerr << fmt::format("run {} {}{} seed={}: {}\n", run.id, run.method.label, swept, run.seed,
                               ncvx::to_string(progress.result->status));
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

  const ncvx::Experiment& experiment_;
  bool quiet_, terminal_;
  bool shown_ = false, first_ = true;
  std::chrono::steady_clock::time_point printed_{};
};

/// `ncvx worker DIR --runs IDS`: runs part of the sweep whose resolved
/// configuration DIR holds and writes the runs' journal records to stdout.
int worker(const ncvx::PluginRegistry& registry, const std::string& directory, const std::string& runs,
           unsigned lockstep) {
  const ncvx::Experiment experiment =
      ncvx::load_experiment((fs::path(directory) / "config.resolved.yaml").string(), {}, registry);
  std::vector<std::size_t> ids;
  std::stringstream list(runs);
  for (std::string id; std::getline(list, id, ',');) ids.push_back(std::stoul(id));
  // "#start ID" as each run starts, each record as it finishes: the parent
  // knows which run a crash or a hang interrupted.
  const std::set<std::size_t> wanted(ids.begin(), ids.end());
  ncvx::RunOptions options;
  options.threads = 1;
  options.lockstep = std::max(1u, lockstep);
  options.keep_results = false;
  options.include = [&](std::size_t id) { return wanted.count(id) > 0; };
  const std::string worker_name = fmt::format("process {}", ::getpid());
  options.on_run_started = [&](const ncvx::RunSpec& run) { std::cout << "#start " << run.id << "\n" << std::flush; };
  options.on_run_finished = [&](const ncvx::RunSpec& run, const ncvx::RunResult& result) {
    std::cout << ncvx::to_text(ncvx::make_record(experiment, run, result, worker_name)) << std::flush;
  };
  ncvx::run_experiment(experiment, registry, options);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Under mpirun (with MPI built in), every rank runs this program: rank 0 as
  // usual, the others as workers for its sweep.
  std::unique_ptr<ncvx::cli::MpiSession> mpi;
  if (ncvx::cli::mpi_launched()) mpi = std::make_unique<ncvx::cli::MpiSession>(argc, argv);
  CLI::App app{"ncvx: compare non-convex methods for low-rank matrix reconstruction"};
  app.set_version_flag("--version", std::string("ncvx ") + NCVX_VERSION_STRING);
  app.require_subcommand(1);
  app.fallthrough();  // --plugin-dir may also follow the subcommand
  std::vector<std::string> plugin_dirs;
  app.add_option("--plugin-dir", plugin_dirs,
                 "extra folder of plugin libraries (searched before NCVX_PLUGIN_PATH and the default)")
      ->type_name("DIR");

  auto* run = app.add_subcommand("run", "run the experiment described by a YAML file");
  std::string config;
  std::vector<std::string> overrides;
  std::string out, resume, shard_text;
  unsigned threads = 0;
  bool quiet = false, isolate = false;
  run->add_option("config", config, "the experiment's YAML file")->required()->check(CLI::ExistingFile);
  run->add_option("overrides", overrides, "key.path=value settings applied on top of the file");
  run->add_option("--out,-o", out, "results folder (default results/<name>-<time>)")->type_name("DIR");
  run->add_option("--resume", resume,
                  "continue the sweep of this results folder: only the runs without a record run")
      ->type_name("DIR");
  run->add_option("--shard", shard_text,
                  "run only part I of N of the sweep (whole instance groups, balanced by cost); join the "
                  "parts with `ncvx merge`")
      ->type_name("I/N");
  run->add_flag("--isolate", isolate,
                "run each instance group in its own process: a plugin that crashes or hangs fails its runs "
                "and the sweep goes on");
  run->add_option("--threads,-j", threads, "runs executed in parallel (default: all cores); "
                                           "results do not depend on it");
  run->add_flag("--quiet,-q", quiet, "print only the comparison table");
  unsigned lockstep = 8;
  run->add_option("--lockstep", lockstep,
                  "runs sharing a large instance advance in groups of this many, one pass over the "
                  "operator per step for the group (1: off); results do not depend on it")
      ->capture_default_str();

  auto* merge_command = app.add_subcommand("merge", "join the results folders of a sweep's shards into one");
  std::vector<std::string> merge_folders;
  std::string merge_out;
  merge_command->add_option("folders", merge_folders, "the shards' results folders")->required();
  merge_command->add_option("--out,-o", merge_out, "the merged results folder")->required()->type_name("DIR");

  auto* compare_command = app.add_subcommand("compare", "one comparison table over several results folders");
  std::vector<std::string> compare_folders;
  compare_command->add_option("folders", compare_folders, "results folders")->required();

  auto* report_command = app.add_subcommand("report", "write a self-contained HTML page of a results folder");
  std::string report_directory, report_out;
  report_command->add_option("directory", report_directory, "a results folder")
      ->required()
      ->check(CLI::ExistingDirectory);
  report_command->add_option("--out,-o", report_out, "the page (default DIR/report.html)")->type_name("FILE");

  auto* worker_command = app.add_subcommand("worker", "(internal) run part of an isolated sweep");
  worker_command->group("");  // not listed in --help
  std::string worker_directory, worker_runs;
  worker_command->add_option("directory", worker_directory)->required();
  worker_command->add_option("--runs", worker_runs)->required();
  worker_command->add_option("--lockstep", lockstep);

  auto* plot_command = app.add_subcommand("plot", "draw the figures of a results folder (gnuplot)");
  std::string plot_directory;
  std::vector<std::string> plot_only;
  plot_command->add_option("directory", plot_directory, "a folder written by `ncvx run`")
      ->required()
      ->check(CLI::ExistingDirectory);
  plot_command->add_option("--figure,-f", plot_only, "only this figure (repeatable)");

  app.add_subcommand("plugins", "list the plugins found (kind, name, version, library)");
  auto* describe_command = app.add_subcommand("describe", "show a plugin's parameters");
  std::string describe_name;
  describe_command->add_option("name", describe_name, "plugin name")->required();

  auto* check_command = app.add_subcommand(
      "check", "run the conformance suite on plugins (exit 1 if a check fails)");
  std::vector<std::string> check_names;
  bool check_all = false;
  ncvx::Index check_n = 8;
  check_command->add_option("names", check_names, "plugin names, then key=value parameters of one plugin");
  check_command->add_flag("--all", check_all, "check every plugin found");
  check_command->add_option("--n", check_n, "side n of the measured shapes (n x n and n x (n-2))")
      ->check(CLI::Range(3, 2000))
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);

  std::vector<fs::path> extra(plugin_dirs.begin(), plugin_dirs.end());
  auto draw = [](const fs::path& directory, const std::vector<std::string>& only) {
    const ncvx::PlotResult plotted = ncvx::plot_results(directory, only);
    for (const auto& note : plotted.notes) std::cout << note << "\n";
    std::cout << fmt::format("figures: {} ({} files)\n", (directory / "figures").string(),
                             plotted.files.size());
  };
  ncvx::PluginRegistry registry;

  try {
    if (app.got_subcommand("plot")) {
      draw(plot_directory, plot_only);
      return 0;
    }
    if (app.got_subcommand("compare")) {
      std::vector<std::string> notes;
      std::cout << ncvx::compare_folders({compare_folders.begin(), compare_folders.end()}, notes);
      for (const auto& note : notes) std::cerr << "warning: " << note << "\n";
      return 0;
    }
    if (app.got_subcommand("report")) {
      const fs::path directory = report_directory;
      if (!fs::exists(directory / "figures") && std::system("command -v gnuplot > /dev/null 2>&1") == 0) {
        try {
          ncvx::plot_results(directory);
        } catch (const std::exception& error) {
          std::cerr << "warning: the figures could not be drawn: " << error.what() << "\n";
        }
      }
      std::cout << "report: " << ncvx::write_report(directory, report_out).string() << "\n";
      return 0;
    }
    registry.scan(ncvx::PluginRegistry::search_path(extra));
    if (app.got_subcommand("plugins")) return list_plugins(registry);
    if (app.got_subcommand("describe")) return describe(registry, describe_name);
    if (app.got_subcommand("check")) return check(registry, check_names, check_all, check_n);
    if (app.got_subcommand("worker")) return worker(registry, worker_directory, worker_runs, lockstep);
    if (app.got_subcommand("merge")) {
      ncvx::merge_folders({merge_folders.begin(), merge_folders.end()}, merge_out, registry);
      std::cout << "merged: " << merge_out << "\n";
      return 0;
    }

    print_failures(registry);
    const ncvx::Experiment experiment = ncvx::load_experiment(config, overrides, registry);
    const unsigned used_threads = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
    if (mpi && mpi->rank() > 0) {
      ncvx::cli::mpi_worker(*mpi, experiment, registry, used_threads, std::max(1u, lockstep));
      return 0;
    }
    std::unique_ptr<ncvx::GroupExecutor> coordinator;
    if (mpi) {
      if (isolate) throw ncvx::Error("--isolate and MPI do not combine; under mpirun each rank is a process already.");
      coordinator = ncvx::cli::mpi_coordinator(*mpi);
    }
    if (!resume.empty() && !out.empty() && fs::path(resume) != fs::path(out))
      throw ncvx::Error("give either --out DIR or --resume DIR (the folder to continue), not both.");
    ncvx::SweepOptions options;
    // The default folder is new: a suffix -2, -3, ... when a sweep started in the same second has the name.
    options.directory =
        !resume.empty() ? fs::path(resume)
        : !out.empty()  ? fs::path(out)
                        : ncvx::create_unique_folder(fs::path("results") /
                                                     (ncvx::safe_file_name(experiment.name) + "-" + timestamp()));
    options.resume = !resume.empty();
    options.threads = used_threads;
    options.executor = coordinator.get();
    options.lockstep = std::max(1u, lockstep);
    if (!shard_text.empty()) options.shard = ncvx::parse_shard(shard_text);
    options.isolate = isolate;
    options.executable = fs::read_symlink("/proc/self/exe");
    options.plugin_dirs = registry.folders();
    options.command_line.assign(argv, argv + argc);
    if (!quiet)
      std::cerr << fmt::format("ncvx {}: {} runs ({} methods, {} seeds){} on {} threads{} -> {}\n",
                               NCVX_VERSION_STRING, experiment.run_count(), experiment.method_labels.size(),
                               experiment.seeds.size(),
                               options.shard.count > 1
                                   ? fmt::format(", shard {}/{}", options.shard.index + 1, options.shard.count)
                                   : "",
                               options.threads,
                               mpi ? fmt::format(" x {} MPI worker ranks", mpi->size() - 1)
                               : options.isolate ? std::string(", isolated")
                                                 : std::string(),
                               options.directory.string());
    ProgressPrinter printer(experiment, quiet);
    options.progress = [&](const ncvx::SweepProgress& progress) { printer(progress); };
    const ncvx::SweepOutcome outcome = ncvx::run_sweep(experiment, registry, options);
    printer.finish();
    for (const auto& note : outcome.notes) std::cerr << "warning: " << note << "\n";
    if (outcome.resumed > 0 && !quiet)
      std::cerr << fmt::format("resumed: {} runs were already finished\n", outcome.resumed);
    std::cout << "\n" << experiment.name << "\n" << ncvx::comparison_table(experiment, outcome.table);
    std::cout << fmt::format("\nresults: {}{}\n", options.directory.string(),
                             outcome.complete ? "" : " (a shard: join the shards with `ncvx merge`)");
    if (outcome.complete && experiment.run_count() > 0 && experiment.run(0).settings.plot) draw(options.directory, {});
    return 0;
  } catch (const ncvx::ConfigError& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
}
