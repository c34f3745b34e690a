#include "ncvx/study/results_view.hpp"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "ncvx/errors.hpp"

namespace ncvx {

namespace fs = std::filesystem;

FolderView view_folder(const fs::path& folder, const PluginRegistry& plugins) {
  const fs::path config = folder / "config.resolved.yaml";
  if (!fs::exists(config))
    throw Error(fmt::format("{} has no config.resolved.yaml: not an ncvx results folder.", folder.string()));
  FolderView view{load_experiment(config.string(), {}, plugins), {}, false, {}};
  const JournalIndex index = index_journal(folder / kJournalFile, /*with_tables=*/true);
  view.notes = index.damaged;
  // The last record of a run wins, as in assembly.
  std::vector<std::size_t> position(view.experiment.run_count(), SIZE_MAX);
  for (const TableEntry& entry : index.tables) {
    if (entry.id < 0 || static_cast<std::size_t>(entry.id) >= position.size()) continue;
    std::size_t& at = position[static_cast<std::size_t>(entry.id)];
    if (at == SIZE_MAX) {
      at = view.table.size();
      view.table.push_back(entry);
    } else {
      view.table[at] = entry;
    }
  }
  std::sort(view.table.begin(), view.table.end(), [](const TableEntry& a, const TableEntry& b) { return a.id < b.id; });
  view.complete = view.table.size() == view.experiment.run_count();
  if (!view.complete)
    view.notes.push_back(fmt::format("{}: {} of {} runs have a record (a shard, or a sweep still running or "
                                     "interrupted); the tables show those",
                                     folder.string(), view.table.size(), view.experiment.run_count()));
  return view;
}

void write_view_files(const fs::path& folder, const FolderView& view, const fs::path& into) {
  fs::create_directories(into);
  assemble_results(into, view.experiment, {index_journal(folder / kJournalFile)}, /*partial=*/true);
}

}  // namespace ncvx
