#pragma once
// Writing a results directory:
//
//   config.resolved.yaml   the configuration with overrides and every default
//   metrics.csv            run_id, iteration, <metrics...>  (one row per logged iteration)
//   summary.csv            run_id, method, <swept axes...>, seed, final/best metrics,
//                          phase boundaries, iterations, wall_seconds, status, message
//   meta.json              version, git commit, plugin ABI records, seeds, host, command
//
// and the console comparison table: one row per method and swept value, with
// the median over seeds.

#include <filesystem>
#include <string>
#include <vector>

#include "ncvx/runner.hpp"

namespace ncvx {

struct RunContext {
  std::vector<std::string> command_line;
  unsigned threads = 1;
  double wall_seconds = 0.0;
};

void write_results(const std::filesystem::path& directory, const Experiment& experiment,
                   const ExperimentResults& results, const PluginRegistry& plugins,
                   const RunContext& context);

/// The comparison table printed at the end of `ncvx run`.
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

/// Quotes a CSV field when needed.
std::string csv_field(const std::string& text);

}  // namespace ncvx
