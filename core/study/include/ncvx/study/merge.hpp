#pragma once
// `ncvx merge`: the results folders of a sweep's shards joined into one.

#include <filesystem>
#include <vector>

namespace ncvx {

class PluginRegistry;

/// Joins the results folders of the shards of one sweep into `out`: they must
/// hold the same resolved configuration and plugin versions; the result is
/// the folder one process would have written. `out` is locked while it is
/// written (folder_lock.hpp).
void merge_folders(const std::vector<std::filesystem::path>& folders, const std::filesystem::path& out,
                   const PluginRegistry& plugins);

}  // namespace ncvx
