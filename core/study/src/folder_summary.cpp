#include "folder_summary.hpp"

#include <cmath>

#include <fmt/format.h>

#include <unistd.h>

#include <atomic>

#include "csv.hpp"
#include "ncvx/study/results_view.hpp"
#include "spread.hpp"
#include "ncvx/errors.hpp"

namespace ncvx {

namespace fs = std::filesystem;

namespace {

FolderSummary summarize_files(const fs::path& folder, std::vector<std::string>& notes, std::optional<double> target) {
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
            status = summary.column("status"), message = summary.column("message"), method = summary.column("method"),
            success = summary.column("success");
  result.success_column = success >= 0;
  std::map<std::pair<std::string, std::vector<std::string>>, std::size_t> row_of;
  for (const auto& fields : summary.rows) {
    std::vector<std::string> values(fields.begin() + width + 1, fields.begin() + seed);
    const auto [it, added] = row_of.try_emplace({fields[static_cast<std::size_t>(method)], values}, result.rows.size());
    if (added) {
      result.rows.emplace_back();
      result.rows.back().method = fields[static_cast<std::size_t>(method)];
      result.rows.back().values = values;
    }
    FolderSummary::Row& row = result.rows[it->second];
    if (success >= 0)
      if (const double judged = to_number(fields[static_cast<std::size_t>(success)]); !std::isnan(judged)) {
        ++row.judged;
        row.successes += judged > 0 ? 1 : 0;
      }
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
    result.row_of_run[fields[0]] = it->second;
  }
  if (target) add_seconds_to_target(folder, *target, result, notes);
  return result;
}

}  // namespace

FolderSummary summarize_folder(const fs::path& folder, std::vector<std::string>& notes, const PluginRegistry* plugins,
                               std::optional<double> target) {
  if (fs::exists(folder / "summary.csv") || !plugins || !fs::exists(folder / kJournalFile))
    return summarize_files(folder, notes, target);
  // Not assembled yet: the runs with a record, assembled into a folder of our own.
  const FolderView view = view_folder(folder, *plugins);
  notes.insert(notes.end(), view.notes.begin(), view.notes.end());
  static std::atomic<unsigned> count{0};
  const fs::path scratch = fs::temp_directory_path() / fmt::format("ncvx-view-{}-{}", ::getpid(), count++);
  struct Remove {
    fs::path path;
    ~Remove() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } remove{scratch};
  write_view_files(folder, view, scratch);
  return summarize_files(scratch, notes, target);
}

std::vector<std::string> row_cells(const FolderSummary::Row& row, bool train, bool success, const std::string& style,
                                   bool with_target) {
  using detail::median_of;
  using detail::shown;
  const detail::TableStyle spread = detail::table_style(style);
  std::vector<std::string> cells = {std::to_string(row.runs), detail::spread_cell(row.final_error, spread),
                                    detail::spread_cell(row.best_error, spread)};
  if (train) cells.push_back(detail::spread_cell(row.train, spread));
  if (success) cells.push_back(detail::success_cell(row.successes, row.judged));
  cells.push_back(shown(median_of(row.iterations), "{:.0f}"));
  cells.push_back(shown(median_of(row.seconds), "{:.3f}"));
  if (with_target) {
    std::size_t counted = row.final_error.size();
    cells.push_back(fmt::format("{}/{}", row.seconds_to_target.size(), counted));
    cells.push_back(detail::spread_cell(row.seconds_to_target, spread, "{:.3g}", "{:.2g}"));
  }
  cells.push_back(detail::status_counts(row.statuses, row.runs));
  return cells;
}

}  // namespace ncvx
