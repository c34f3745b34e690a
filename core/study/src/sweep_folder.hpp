#pragma once
// What a sweep, a resume and a merge check and write in a results folder
// besides the journal (internal to the study): its meta.json with the plugin
// versions used, and the refusal of a folder made by another configuration
// or other plugin versions.

#include <filesystem>
#include <string>

#include "ncvx/study/sweep.hpp"

namespace ncvx {

/// The bytes of a file; throws Error naming it when it cannot be read.
std::string read_file(const std::filesystem::path& file);

/// meta.json of a sweep (output.hpp's write_meta), with the plugin versions a
/// resume or a merge must find again and the shard; `state` replaces the
/// state ("running" or "finished") when given ("interrupted").
void write_sweep_meta(const std::filesystem::path& directory, const Experiment& experiment,
                      const PluginRegistry& plugins, const SweepOptions& options, bool finished, double seconds,
                      const std::string& state = "");

/// Refuses (Error: "cannot ACTION DIR: ...") a folder made by another resolved
/// configuration or other versions of the plugins this experiment uses.
void check_same_sweep(const std::filesystem::path& directory, const Experiment& experiment,
                      const PluginRegistry& plugins, const char* action);

}  // namespace ncvx
