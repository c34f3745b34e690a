#pragma once
// A results folder read back for a table (internal to the study): its
// summary.csv grouped by method and swept values, as the comparison table
// groups runs; what `ncvx compare` and `ncvx report` show.

#include <filesystem>
#include <map>
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
  };
  bool success_column = false;
  std::vector<Row> rows;
  std::vector<std::pair<std::string, std::string>> problems;  // run label, status: message
};

class PluginRegistry;

/// Reads DIR/summary.csv (and timing.csv when present); damaged rows are
/// skipped and described in `notes`. A folder without summary.csv (a shard,
/// a sweep still running or interrupted) is read from its journal when
/// `plugins` are given (results_view.hpp), with a note saying so.
FolderSummary summarize_folder(const std::filesystem::path& folder, std::vector<std::string>& notes,
                               const PluginRegistry* plugins = nullptr);

/// The cells of one summarized row: seeds, final, best, train (when `train`)
/// with their spread in `style` (spread.hpp), success (when `success`; "-"
/// for a folder without it), iterations, seconds, status.
std::vector<std::string> row_cells(const FolderSummary::Row& row, bool train, bool success, const std::string& style);

}  // namespace ncvx
