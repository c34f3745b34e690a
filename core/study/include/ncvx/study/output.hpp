#pragma once
// Writing a results directory:
//
//   config.resolved.yaml   the configuration with overrides and every default (first)
//   meta.json              version, git commit, plugin ABI records, seeds, host, command,
//                          state (running / finished)
//   runs.journal           every finished run, appended as it finishes (journal.hpp)
//   metrics.csv            run_id, iteration, <metrics...>  (one row per logged iteration)
//   summary.csv            run_id, method, <swept axes...>, seed, final/best metrics,
//                          metric summaries, iterations, status, message
//   tidy.csv               metrics.csv with the method, swept values and seed on every row
//   timing.csv             run_id, wall_seconds, worker
//   seconds.csv            run_id, iteration, seconds (the time axis: one row per metrics row)
//
// The CSV files are assembled from the journal at the end. Every file but
// meta.json, timing.csv and seconds.csv is a function of the configuration alone.
// And the console comparison table: one row per method and swept value,
// with the median over seeds.

#include <filesystem>
#include <string>
#include <vector>

#include "ncvx/study/runner.hpp"

namespace ncvx {

struct TableEntry;

struct RunContext {
  std::vector<std::string> command_line;
  unsigned threads = 1;
  double wall_seconds = 0.0;
  bool finished = false;  ///< meta.json's state
};

/// Writes a whole results folder from results held in memory (the API's
/// path; `ncvx run` streams through the journal instead).
void write_results(const std::filesystem::path& directory, const Experiment& experiment,
                   const ExperimentResults& results, const PluginRegistry& plugins,
                   const RunContext& context);

/// config.resolved.yaml: its text, and writing it (atomically).
std::string resolved_configuration(const Experiment& experiment);
void write_configuration(const std::filesystem::path& directory, const Experiment& experiment);
/// meta.json (atomically).
void write_meta(const std::filesystem::path& directory, const Experiment& experiment,
                const PluginRegistry& plugins, const RunContext& context);

// The text of the CSV files, piece by piece (each line ends with a newline
// except summary_row's).
std::string metrics_header(const Experiment& experiment);
/// tidy.csv: metrics.csv with each row's method, swept values and seed, so a
/// data frame needs no merge: run_id, method, <swept axes...>, seed,
/// iteration, <metrics...>. The prefix of a run's rows ends before its comma.
std::string tidy_header(const Experiment& experiment);
std::string tidy_prefix(const Experiment& experiment, const RunSpec& run);
std::string metrics_rows(const RunResult& result);
std::string summary_header(const Experiment& experiment);
std::string summary_row(const Experiment& experiment, const RunSpec& run, const RunResult& result);

/// Shortest text that reads back to the same double ("nan", "inf" as is).
std::string number(double value);
/// An iteration, or "" when it never happened (-1).
std::string reached(Index iteration);
/// 1 when a run counts and its final error is at most run.success_below, 0
/// when it does not (diverged runs included), NaN for a failed run (it says
/// nothing about the method) or when the run has no success_below.
double success_of(const RunSpec& run, RunStatus status, double final_error);

/// The comparison table printed at the end of `ncvx run`, from the table
/// entries of the runs (journal.hpp) or from results in memory.
std::string comparison_table(const Experiment& experiment, const std::vector<TableEntry>& runs);
std::string comparison_table(const Experiment& experiment, const ExperimentResults& results);

/// `name` as one safe file-name component: letters, digits, '.', '-' and '_'
/// kept, anything else (slashes, spaces, control characters) '_', no leading
/// dot; "experiment" if nothing is left. The default results folder is
/// results/<safe name>-<time>, so a name like "../x" stays inside results/.
std::string safe_file_name(const std::string& name);

/// Creates `directory` (with its parents) and checks that a file can be
/// written in it; throws Error naming the folder otherwise. Called before the
/// first run, so an unwritable --out is found at once, not after the sweep.
void prepare_results_folder(const std::filesystem::path& directory);

/// `text` as one CSV field that any CSV reader (pandas included) reads back:
/// quoted (RFC 4180, a quote doubled) when it holds a comma, a quote, a
/// newline or a carriage return, which are kept as they are; a NUL written as
/// U+2400 (␀) and a byte that is not UTF-8 as U+FFFD, so every results file
/// is UTF-8 text.
std::string csv_field(const std::string& text);

}  // namespace ncvx
