// Seconds to a target error (`ncvx compare --time-to`): the comparison by
// wall-clock that decides between methods whose iterations cost differently.

#include <cmath>

#include <fmt/format.h>

#include "csv.hpp"
#include "folder_summary.hpp"

namespace ncvx {

namespace fs = std::filesystem;

void add_seconds_to_target(const fs::path& folder, double target, FolderSummary& summary,
                           std::vector<std::string>& notes) {
  summary.target = target;
  if (!fs::exists(folder / "seconds.csv")) {
    notes.push_back(fmt::format("{} has no seconds.csv (results written before ncvx 0.3 have no time axis): no "
                                "seconds to the target.",
                                folder.string()));
    return;
  }
  const detail::Table metrics = detail::read_csv(folder / "metrics.csv");
  const detail::Table seconds = detail::read_csv(folder / "seconds.csv");
  notes.insert(notes.end(), metrics.damaged.begin(), metrics.damaged.end());
  notes.insert(notes.end(), seconds.damaged.begin(), seconds.damaged.end());
  const int error = metrics.column(summary.error);
  if (error < 0 || seconds.header.size() < 3) {
    notes.push_back(fmt::format("{}: metrics.csv has no column {} (or seconds.csv no seconds): no seconds to the "
                                "target.",
                                folder.string(), summary.error));
    return;
  }
  std::map<std::pair<std::string, std::string>, double> seconds_at;
  for (const auto& row : seconds.rows) seconds_at[{row[0], row[1]}] = detail::to_number(row[2]);
  // Rows are in run order, iterations increasing: the first row at or below the target is the one.
  std::string reached;
  for (const auto& row : metrics.rows) {
    if (row[0] == reached) continue;
    const auto run = summary.row_of_run.find(row[0]);
    if (run == summary.row_of_run.end()) continue;  // a run that does not count
    if (!(detail::to_number(row[static_cast<std::size_t>(error)]) <= target)) continue;
    reached = row[0];
    const auto time = seconds_at.find({row[0], row[1]});
    if (time != seconds_at.end() && std::isfinite(time->second))
      summary.rows[run->second].seconds_to_target.push_back(time->second);
  }
}

}  // namespace ncvx
