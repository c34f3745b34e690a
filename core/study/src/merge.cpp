#include "ncvx/study/merge.hpp"

#include <fstream>
#include <set>

#include <fmt/format.h>

#include "ncvx/errors.hpp"
#include "ncvx/plugin_registry.hpp"
#include "ncvx/study/folder_lock.hpp"
#include "ncvx/study/journal.hpp"
#include "sweep_folder.hpp"

namespace ncvx {

namespace fs = std::filesystem;

void merge_folders(const std::vector<fs::path>& folders, const fs::path& out, const PluginRegistry& plugins) {
  if (folders.empty()) throw Error("ncvx merge: name the shard folders to merge.");
  const fs::path first_config = folders.front() / "config.resolved.yaml";
  if (!fs::exists(first_config))
    throw Error(fmt::format("{} has no config.resolved.yaml (not a results folder).", folders.front().string()));
  const Experiment experiment = load_experiment(first_config.string(), {}, plugins);
  for (const auto& folder : folders) check_same_sweep(folder, experiment, plugins, "merge");
  prepare_results_folder(out);
  for (const auto& folder : folders)
    if (fs::equivalent(folder, out)) throw Error(fmt::format("ncvx merge: --out {} is one of the shards.", out.string()));
  std::vector<std::string> command_line = {"ncvx", "merge"};
  for (const auto& folder : folders) command_line.push_back(folder.string());
  const FolderLock lock(out, command_line);
  // One journal: every complete record, the first of each run.
  const fs::path journal_file = out / kJournalFile;
  fs::remove(journal_file);
  std::set<Index> seen;
  {
    JournalWriter writer(journal_file);
    for (const auto& folder : folders) {
      const JournalIndex index = index_journal(folder / kJournalFile);
      std::ifstream stream(index.file, std::ios::binary);
      for (const auto& location : index.records)
        if (seen.insert(location.id).second) writer.append(read_record(stream, index.file, location));
    }
  }
  write_atomically(out / "config.resolved.yaml", read_file(first_config));
  assemble_results(out, experiment, {index_journal(journal_file)});
  SweepOptions options;
  options.command_line = command_line;
  write_sweep_meta(out, experiment, plugins, options, true, 0.0);
}

}  // namespace ncvx
