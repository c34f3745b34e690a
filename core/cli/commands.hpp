#pragma once
// The subcommands of the `ncvx` tool, one registration function each: it adds
// its subcommand, options and help to the app and returns it with what runs
// when it is chosen. A new verb is one more of these
// (docs/architecture.md).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "mpi.hpp"
#include "ncvx/plugin_registry.hpp"

namespace ncvx::cli {

/// What every subcommand may use: the global options and the plugins, found
/// (scanned) the first time a subcommand asks for them.
class Tool {
 public:
  Tool(int argc, char** argv, MpiSession* mpi) : argc_(argc), argv_(argv), mpi_(mpi) {
    // An MPI rank must not fork: no probe of the plugin files in a child process.
    if (mpi_) registry_.probe_before_loading(false);
  }

  std::vector<std::string>& plugin_dirs() { return plugin_dirs_; }
  /// The plugins of --plugin-dir, NCVX_PLUGIN_PATH and the default folder.
  const PluginRegistry& plugins();
  /// The folders searched (after plugins()).
  std::vector<std::filesystem::path> plugin_folders() const { return registry_.folders(); }
  std::vector<std::string> command_line() const { return {argv_, argv_ + argc_}; }
  MpiSession* mpi() const { return mpi_; }

 private:
  int argc_;
  char** argv_;
  MpiSession* mpi_;
  std::vector<std::string> plugin_dirs_;
  PluginRegistry registry_;
  bool scanned_ = false;
};

/// A subcommand, and what runs when it is chosen (its exit status).
struct Command {
  CLI::App* subcommand = nullptr;
  std::function<int()> run;
};

Command add_run(CLI::App& app, Tool& tool);       // run.cpp
Command add_worker(CLI::App& app, Tool& tool);    // run.cpp
Command add_merge(CLI::App& app, Tool& tool);     // folders.cpp
Command add_compare(CLI::App& app, Tool& tool);   // folders.cpp
Command add_report(CLI::App& app, Tool& tool);    // folders.cpp
Command add_plot(CLI::App& app, Tool& tool);      // folders.cpp
Command add_plugins(CLI::App& app, Tool& tool);   // plugins.cpp
Command add_describe(CLI::App& app, Tool& tool);  // plugins.cpp
Command add_check(CLI::App& app, Tool& tool);     // plugins.cpp

/// Draws the figures of a results folder and says where they are.
void draw_figures(const std::filesystem::path& directory, const std::vector<std::string>& only = {});

}  // namespace ncvx::cli
