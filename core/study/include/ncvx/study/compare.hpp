#pragma once
// `ncvx compare`: one comparison table over several results folders.

#include <filesystem>
#include <string>
#include <vector>

namespace ncvx {

/// One comparison table over several results folders (a `folder` column
/// first), each column's spread shown in `style` (quartiles, range or mean,
/// as run.table); damaged rows are skipped and reported in `notes`.
std::string compare_folders(const std::vector<std::filesystem::path>& folders, std::vector<std::string>& notes,
                            const std::string& style = "quartiles");

}  // namespace ncvx
