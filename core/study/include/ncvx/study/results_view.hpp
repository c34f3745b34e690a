#pragma once
// A results folder read back, finished or not: its experiment (from its
// config.resolved.yaml) and the runs its journal holds. What `ncvx.load`,
// `ncvx compare` and the report use to look at a shard's folder, or an
// interrupted or still running sweep's, before every run has a record.

#include <filesystem>
#include <string>
#include <vector>

#include "ncvx/study/experiment.hpp"
#include "ncvx/study/journal.hpp"

namespace ncvx {

class PluginRegistry;

struct FolderView {
  Experiment experiment;
  std::vector<TableEntry> table;   ///< the runs with a record, in run-id order
  bool complete = false;           ///< every run has one
  std::vector<std::string> notes;  ///< damaged journal parts, and how many runs are missing
};

/// Reads DIR/config.resolved.yaml (with `plugins`) and DIR/runs.journal.
/// Throws Error naming the folder when it is not a results folder.
FolderView view_folder(const std::filesystem::path& folder, const PluginRegistry& plugins);

/// Writes metrics.csv, tidy.csv, summary.csv, timing.csv and seconds.csv of the runs that
/// have a record in `folder`'s journal into `into` (which may be `folder`
/// only when the view is complete).
void write_view_files(const std::filesystem::path& folder, const FolderView& view, const std::filesystem::path& into);

}  // namespace ncvx
