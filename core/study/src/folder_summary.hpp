#pragma once
// A results folder read back for a table (internal to the study): its
// summary.csv grouped by method and swept values, as the comparison table
// groups runs; what `ncvx compare` and `ncvx report` show.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ncvx {

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
    int successes = 0, judged = 0;  ///< from the success column (when the sweep has one)
    /// With a target error: the seconds (time axis) at which each counted run
    /// first logged an error at or below it; runs that never did are absent.
    std::vector<double> seconds_to_target;
  };
  bool success_column = false;
  std::vector<Row> rows;
  std::vector<std::pair<std::string, std::string>> problems;  // run label, status: message
  std::map<std::string, std::size_t> row_of_run;  ///< run id -> its row (runs that count)
  std::optional<double> target;                   ///< the target error of seconds_to_target
};

class PluginRegistry;

/// Reads DIR/summary.csv (and timing.csv when present); damaged rows are
/// skipped and described in `notes`. A folder without summary.csv (a shard,
/// a sweep still running or interrupted) is read from its journal when
/// `plugins` are given (results_view.hpp), with a note saying so.
/// With `target`, each row also gets its runs' seconds to reach that error
/// (from metrics.csv and seconds.csv).
FolderSummary summarize_folder(const std::filesystem::path& folder, std::vector<std::string>& notes,
                               const PluginRegistry* plugins = nullptr, std::optional<double> target = std::nullopt);

/// Fills the rows' seconds_to_target from FOLDER's metrics.csv and
/// seconds.csv: the time of each counted run's first logged error <= target.
void add_seconds_to_target(const std::filesystem::path& folder, double target, FolderSummary& summary,
                           std::vector<std::string>& notes);

/// The cells of one summarized row: seeds, final, best, train (when `train`)
/// with their spread in `style` (spread.hpp), success (when `success`; "-"
/// for a folder without it), iterations, seconds, then (with a target)
/// reached (runs/counted) and seconds to target, and status.
std::vector<std::string> row_cells(const FolderSummary::Row& row, bool train, bool success, const std::string& style,
                                   bool with_target = false);

}  // namespace ncvx
