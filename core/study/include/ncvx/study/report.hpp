#pragma once
// `ncvx report`: one self-contained HTML page of a results folder. The page's
// HTML, CSS and script are a template (core/study/report/report.html)
// embedded at build time; every text taken from the folder is escaped.

#include <filesystem>

namespace ncvx {

/// Writes DIR/report.html (or `out`): one self-contained page with the
/// resolved configuration, the sortable comparison table, every figure
/// inline, and the runs that failed or diverged. Returns the file.
/// With `plugins`, a folder not assembled yet (a shard, a sweep running or
/// interrupted) shows the runs its journal holds.
std::filesystem::path write_report(const std::filesystem::path& directory, const std::filesystem::path& out = {},
                                   const class PluginRegistry* plugins = nullptr);

}  // namespace ncvx
