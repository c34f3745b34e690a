#include "sweep_folder.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ncvx/errors.hpp"
#include "ncvx/plugin_registry.hpp"

namespace ncvx {

namespace fs = std::filesystem;

std::string read_file(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw Error(fmt::format("cannot read {}.", file.string()));
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

namespace {

/// The text of config.resolved.yaml without its comment lines (which name the
/// source file and the overrides: a resumed sweep may be started from the copy).
std::string configuration_body(const std::string& text) {
  std::string body;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("#", 0) != 0) body += line + "\n";
  return body;
}

/// kind/name -> version of the plugins an experiment uses.
std::map<std::string, std::string> used_plugins(const Experiment& experiment, const PluginRegistry& plugins) {
  std::map<std::string, std::string> used;
  auto add = [&](const ComponentChoice& choice) {
    const LoadedPlugin& plugin = plugins.find(choice.kind, choice.name);
    used[fmt::format("{} {}", to_string(choice.kind), choice.name)] = plugin.info().version;
  };
  for (const auto& problem : experiment.problems) add(problem.choice);
  for (const auto& metric : experiment.metrics) add(metric);
  for (const auto& point : experiment.points) {
    for (const auto& corruption : point.corruptions) add(corruption);
    add(point.measurement);
    for (const auto& method : point.methods) {
      add(method.spec.initializer);
      add(method.spec.optimizer);
      add(method.spec.loss);
    }
  }
  return used;
}

std::map<std::string, std::string> used_plugins_of(const fs::path& directory) {
  std::map<std::string, std::string> used;
  const nlohmann::json meta = nlohmann::json::parse(read_file(directory / "meta.json"), nullptr, false);
  if (meta.is_discarded() || !meta.contains("used_plugins")) return used;
  for (const auto& [key, version] : meta["used_plugins"].items()) used[key] = version.get<std::string>();
  return used;
}

}  // namespace

void write_sweep_meta(const fs::path& directory, const Experiment& experiment, const PluginRegistry& plugins,
                      const SweepOptions& options, bool finished, double seconds, const std::string& state) {
  RunContext context;
  context.command_line = options.command_line;
  context.threads = options.threads;
  context.wall_seconds = seconds;
  context.finished = finished;
  write_meta(directory, experiment, plugins, context);
  // The plugin versions a resume or a merge must find again.
  nlohmann::json meta = nlohmann::json::parse(read_file(directory / "meta.json"));
  meta["used_plugins"] = used_plugins(experiment, plugins);
  if (!state.empty()) meta["state"] = state;
  if (options.shard.count > 1)
    meta["shard"] = {{"index", options.shard.index + 1}, {"count", options.shard.count}};
  write_atomically(directory / "meta.json", meta.dump(2) + "\n");
}

/// Refuses a folder made by another configuration or other plugin versions.
void check_same_sweep(const fs::path& directory, const Experiment& experiment, const PluginRegistry& plugins,
                      const char* action) {
  const fs::path config = directory / "config.resolved.yaml";
  if (!fs::exists(config))
    throw Error(fmt::format("cannot {} {}: it has no config.resolved.yaml (not a results folder).", action,
                            directory.string()));
  if (configuration_body(read_file(config)) != configuration_body(resolved_configuration(experiment)))
    throw Error(fmt::format("cannot {} {}: its resolved configuration differs from this one (compare "
                            "{} with the configuration and overrides given).",
                            action, directory.string(), config.string()));
  const auto before = used_plugins_of(directory), now = used_plugins(experiment, plugins);
  for (const auto& [plugin, version] : now)
    if (const auto it = before.find(plugin); it != before.end() && it->second != version)
      throw Error(fmt::format("cannot {} {}: it was run with {} version {}, this ncvx has version {}.", action,
                              directory.string(), plugin, it->second, version));
}

}  // namespace ncvx
