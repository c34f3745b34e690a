// ncvx plugins | describe NAME | check NAME [key=value ...] [--n N] | --all

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "ncvx/conformance.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/study/contained.hpp"
#include "ncvx/study/device_backend.hpp"
#include "ncvx/study/experiment.hpp"

namespace ncvx::cli {

namespace {

/// Rows as columns padded to their widest cell (the last column unpadded).
void print_columns(const std::vector<std::vector<std::string>>& rows, const std::string& indent = "") {
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  for (const auto& row : rows) {
    std::string line = indent;
    for (std::size_t c = 0; c < row.size(); ++c)
      line += c + 1 == row.size() ? row[c] : fmt::format("{:<{}}  ", row[c], widths[c]);
    std::cout << line << "\n";
  }
}

int list_plugins(const PluginRegistry& registry) {
  std::vector<std::vector<std::string>> rows = {{"kind", "name", "version", "abi", "library", "description"}};
  for (const auto* plugin : registry.plugins())
    rows.push_back({to_string(plugin->info().kind), plugin->info().name, plugin->info().version,
                    std::to_string(plugin->abi().abi_version), plugin->file().string(), plugin->info().summary});
  print_columns(rows);
  std::vector<std::string> folders;
  for (const auto& folder : registry.folders()) folders.push_back(folder.string());
  std::cout << fmt::format("\nsearched: {}\n", fmt::join(folders, ", "));
  std::string why;
  const DeviceBackend* device = device_backend(why);
  std::cout << (device ? fmt::format("device backend (backend: cuda): {}\n", device->device())
                       : fmt::format("device backend (backend: cuda): none: {}\n", why));
  if (registry.failures().empty()) return 0;
  std::cout << "\nnot loaded:\n";
  for (const auto& failure : registry.failures()) std::cout << "  " << failure.reason << "\n";
  return 1;
}

/// "error: no plugin named 'x'; did you mean 'y'? Plugins: ..." on stderr.
void no_such_plugin(const std::string& name, const std::vector<std::string>& known) {
  const std::string guess = nearest(name, known);
  std::cerr << fmt::format("error: no plugin named '{}'{} Plugins: {}.\n", name,
                           guess.empty() ? "." : "; did you mean '" + guess + "'?", fmt::join(known, ", "));
}

std::vector<std::string> plugin_names(const PluginRegistry& registry) {
  std::vector<std::string> names;
  for (const auto* plugin : registry.plugins()) names.push_back(plugin->info().name);
  return names;
}

int describe(const PluginRegistry& registry, const std::string& name) {
  std::vector<const LoadedPlugin*> matches;
  for (const auto* plugin : registry.plugins())
    if (plugin->info().name == name) matches.push_back(plugin);
  if (matches.empty()) {
    no_such_plugin(name, plugin_names(registry));
    return 2;
  }
  for (const auto* plugin : matches) {
    const auto& info = plugin->info();
    std::cout << fmt::format("{} `{}` (version {}, {})\n  {}\n\n", to_string(info.kind), info.name, info.version,
                             plugin->file().string(), info.summary);
    if (info.parameters.empty()) {
      std::cout << "  no parameters\n";
      continue;
    }
    std::vector<std::vector<std::string>> rows = {{"parameter", "type", "default", "range", "description"}};
    for (const auto& spec : info.parameters)
      rows.push_back({spec.name, to_string(spec.type), to_string(spec.default_value), spec.constraint(),
                      spec.description});
    print_columns(rows, "  ");
  }
  return 0;
}

/// The checks of one plugin: whether it conforms, and the line and table to print.
std::pair<bool, std::string> check_one(const LoadedPlugin& plugin, const std::vector<std::string>& assignments,
                                       const ConformanceOptions& options) {
  const ParameterValues values = parse_parameter_assignments(plugin.info(), assignments);
  const auto checks = check_plugin(plugin, values, options);
  const bool passed = all_passed(checks);
  const bool skipped = std::all_of(checks.begin(), checks.end(),
                                   [](const ConformanceCheck& c) { return c.outcome == CheckOutcome::skipped; });
  return {passed, fmt::format("{}: {}\n", plugin.describe(), skipped ? "not checked" : passed ? "conforms" : "DOES NOT CONFORM") +
                      conformance_table(checks) + "\n"};
}

/// The same in a child process: a plugin that crashes does not conform.
std::pair<bool, std::string> check_one_isolated(const LoadedPlugin& plugin, const std::vector<std::string>& assignments,
                                                const ConformanceOptions& options) {
  try {
    const std::string answer = contained("checking " + plugin.describe(), [&] {
      const auto [passed, text] = check_one(plugin, assignments, options);
      return (passed ? "1" : "0") + text;
    });
    return {answer[0] == '1', answer.substr(1)};
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& error) {
    return {false, fmt::format("{}: DOES NOT CONFORM\n{}\n\n", plugin.describe(), error.what())};
  }
}

int check(const PluginRegistry& registry, const std::vector<std::string>& arguments, bool all, Index n,
          bool isolate) {
  // Plugin names, then key=value parameters of the (single) plugin named.
  std::vector<std::string> names, assignments;
  for (const auto& argument : arguments)
    (argument.find('=') == std::string::npos ? names : assignments).push_back(argument);
  if (!assignments.empty() && (all || names.size() != 1)) {
    std::cerr << "error: key=value parameters apply to one plugin: ncvx check NAME key=value ...\n";
    return 2;
  }
  const std::vector<std::string> known = plugin_names(registry);
  for (const auto& name : names)
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      no_such_plugin(name, known);
      return 2;
    }
  std::vector<const LoadedPlugin*> chosen;
  for (const auto* plugin : registry.plugins())
    if (all || std::find(names.begin(), names.end(), plugin->info().name) != names.end()) chosen.push_back(plugin);
  if (chosen.empty()) {
    std::cerr << "error: name a plugin to check, or --all.\n";
    return 2;
  }
  ConformanceOptions options;
  options.n = n;
  int failed = 0;
  for (const auto* plugin : chosen) {
    const auto [passed, text] =
        isolate ? check_one_isolated(*plugin, assignments, options) : check_one(*plugin, assignments, options);
    failed += passed ? 0 : 1;
    std::cout << text << std::flush;
  }
  if (chosen.size() > 1)
    std::cout << fmt::format("{} of {} plugins conform\n", chosen.size() - static_cast<std::size_t>(failed),
                             chosen.size());
  return failed ? 1 : 0;
}

}  // namespace

Command add_plugins(CLI::App& app, Tool& tool) {
  auto* command = app.add_subcommand("plugins", "list the plugins found (kind, name, version, library)");
  return {command, [&tool] { return list_plugins(tool.plugins()); }};
}

Command add_describe(CLI::App& app, Tool& tool) {
  auto* command = app.add_subcommand("describe", "show a plugin's parameters");
  auto name = std::make_shared<std::string>();
  command->add_option("name", *name, "plugin name")->required();
  return {command, [&tool, name] { return describe(tool.plugins(), *name); }};
}

Command add_check(CLI::App& app, Tool& tool) {
  auto* command = app.add_subcommand("check", "run the conformance suite on plugins (exit 1 if a check fails)");
  struct Options {
    std::vector<std::string> names;
    bool all = false, isolate = false;
    Index n = 8;
  };
  auto options = std::make_shared<Options>();
  command->add_option("names", options->names, "plugin names, then key=value parameters of one plugin");
  command->add_flag("--all", options->all, "check every plugin found");
  command->add_flag("--isolate", options->isolate,
                    "check each plugin in its own process: one that crashes does not conform, the others are checked");
  command->add_option("--n", options->n, "side n of the measured shapes (n x n and n x (n-2))")
      ->check(CLI::Range(3, 2000))
      ->capture_default_str();
  return {command, [&tool, options] {
            return check(tool.plugins(), options->names, options->all, options->n, options->isolate);
          }};
}

}  // namespace ncvx::cli
