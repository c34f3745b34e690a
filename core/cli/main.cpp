// ncvx: the command-line tool.
//
//   ncvx run CONFIG [key.path=value ...] [--out DIR | --resume DIR] [--shard I/N] [--isolate]
//            [--threads N] [--lockstep K] [--quiet]
//   ncvx merge DIR ... --out DIR
//   ncvx compare DIR ...
//   ncvx report DIR [--out FILE]
//   ncvx plot DIR [--figure NAME ...]
//   ncvx plugins
//   ncvx describe NAME
//   ncvx check NAME [key=value ...] [--n N] | --all
//   ncvx worker DIR --runs IDS      (internal: one group of an isolated sweep)
//   ncvx --version
//
// Global option: --plugin-dir DIR (repeatable), searched before
// NCVX_PLUGIN_PATH and the default plugin folder. Exit status: 0, 1 for an
// error, 2 for a configuration error (its sentence names file, line and column).

#include <iostream>

#include "commands.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/version.hpp"

namespace ncvx::cli {

const PluginRegistry& Tool::plugins() {
  if (!scanned_) {
    registry_.scan(PluginRegistry::search_path({plugin_dirs_.begin(), plugin_dirs_.end()}));
    scanned_ = true;
  }
  return registry_;
}

}  // namespace ncvx::cli

int main(int argc, char** argv) {
  // Under mpirun (with MPI built in), every rank runs this program: rank 0 as
  // usual, the others as workers for its sweep.
  std::unique_ptr<ncvx::cli::MpiSession> mpi;
  if (ncvx::cli::mpi_launched()) mpi = std::make_unique<ncvx::cli::MpiSession>(argc, argv);
  ncvx::cli::Tool tool(argc, argv, mpi.get());

  CLI::App app{"ncvx: compare non-convex methods for low-rank matrix reconstruction"};
  app.set_version_flag("--version", std::string("ncvx ") + NCVX_VERSION_STRING);
  app.require_subcommand(1);
  app.fallthrough();  // --plugin-dir may also follow the subcommand
  app.add_option("--plugin-dir", tool.plugin_dirs(),
                 "extra folder of plugin libraries (searched before NCVX_PLUGIN_PATH and the default)")
      ->type_name("DIR");
  using namespace ncvx::cli;
  std::vector<Command> commands;
  for (auto add : {add_run, add_merge, add_compare, add_report, add_worker, add_plot, add_plugins, add_describe,
                   add_check})
    commands.push_back(add(app, tool));

  CLI11_PARSE(app, argc, argv);
  try {
    for (const Command& command : commands)
      if (command.subcommand->parsed()) return command.run();
    return 0;
  } catch (const ncvx::ConfigError& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
}
