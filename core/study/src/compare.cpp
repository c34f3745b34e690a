#include "ncvx/study/compare.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "csv.hpp"
#include "folder_summary.hpp"
#include "spread.hpp"
#include "ncvx/errors.hpp"

namespace ncvx {

namespace fs = std::filesystem;

namespace {

/// The folder's column: its name (or its parent's, for a path ending in '/').
std::string folder_name(const fs::path& folder) {
  return folder.filename().empty() ? folder.parent_path().filename().string() : folder.filename().string();
}

}  // namespace

std::string compare_folders(const std::vector<fs::path>& folders, std::vector<std::string>& notes,
                            const std::string& style, const PluginRegistry* plugins, std::optional<double> time_to) {
  if (folders.empty()) throw Error("ncvx compare: name the results folders to compare.");
  std::vector<FolderSummary> summaries;
  std::vector<std::string> axes;
  std::string error;
  bool success = false;
  for (const auto& folder : folders) {
    summaries.push_back(summarize_folder(folder, notes, plugins, time_to));
    for (const auto& axis : summaries.back().axes)
      if (std::find(axes.begin(), axes.end(), axis) == axes.end()) axes.push_back(axis);
    success = success || summaries.back().success_column;
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
  if (success) header.emplace_back("success");
  for (const char* column : {"iterations", "seconds"}) header.emplace_back(column);
  if (time_to) {
    header.push_back(fmt::format("reached {:.3g}", *time_to));
    header.push_back(fmt::format("seconds to {:.3g}", *time_to));
  }
  header.emplace_back("status");
  std::vector<std::vector<std::string>> cells;
  for (std::size_t f = 0; f < folders.size(); ++f)
    for (const auto& row : summaries[f].rows) {
      std::vector<std::string> line = {folder_name(folders[f]), row.method};
      for (const auto& axis : axes) {
        const auto it = std::find(summaries[f].axes.begin(), summaries[f].axes.end(), axis);
        line.push_back(it == summaries[f].axes.end() ? "" : row.values[static_cast<std::size_t>(it - summaries[f].axes.begin())]);
      }
      const auto rest = row_cells(row, train, success, style, time_to.has_value());
      line.insert(line.end(), rest.begin(), rest.end());
      cells.push_back(std::move(line));
    }
  return detail::render_table(header, cells) +
         fmt::format("({} over the seeds that converged or used their budget{}; iterations and seconds: medians{})\n",
                     detail::spread_legend(detail::table_style(style)),
                     success ? "; success: successes/runs [95 % Wilson interval]" : "",
                     time_to ? fmt::format("; reached: the runs whose {} reached {:.3g}, and their seconds in the "
                                           "optimizer's steps until then (seconds.csv)",
                                           error, *time_to)
                             : "");
}

}  // namespace ncvx
