#pragma once
// `ncvx compare`: one comparison table over several results folders.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ncvx {

class PluginRegistry;

/// One comparison table over several results folders (a `folder` column
/// first), each column's spread shown in `style` (quartiles, range or mean,
/// as run.table); damaged rows are skipped and reported in `notes`. With
/// `plugins`, a folder whose files are not assembled yet (a shard, a sweep
/// running or interrupted) shows the runs its journal holds. With
/// `time_to`, two more columns compare by wall-clock: how many runs reached
/// that error, and the seconds they took (the time axis: the optimizer's
/// steps, metrics excluded).
std::string compare_folders(const std::vector<std::filesystem::path>& folders, std::vector<std::string>& notes,
                            const std::string& style = "quartiles", const PluginRegistry* plugins = nullptr,
                            std::optional<double> time_to = std::nullopt);

}  // namespace ncvx
