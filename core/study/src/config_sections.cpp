// Stage 2 of the configuration path (config_stages.hpp): the tree checked
// against the sections it may have and the plugins' declarations, outside
// the sweep: the name, the methods' labels, the seeds, the metrics, the
// figures, and path parameters made absolute.

#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "config_stages.hpp"
#include "config_values.hpp"
#include "spread.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/plugin_registry.hpp"
#include "sweep_axes.hpp"

namespace ncvx::detail {

namespace {

const std::vector<std::string> kTopLevelKeys = {
    "name", "description", "problem", "corruptions", "measurement", "loss", "methods",
    "metrics", "run",  "sweep",       "figures"};
const std::vector<std::string> kMethodKeys = {"label", "init", "optimizer", "width", "loss", "factorization",
                                              "iterations", "max_seconds", "stop", "backend", "precision"};
/// Keys that existed in earlier versions, with where they went.
const std::map<std::string, std::string> kMovedKeys = {
    {"phases", "the phase thresholds moved to the `phases` metric: metrics: [{name: phases, "
               "alignment_below: 0.1, fit_fraction: 0.5}] (run.convergence_within for convergence)"},
};

// ---------------------------------------------------------------- top level

void check_top_level(const ConfigNode& root) {
  detail::require_mapping(root, "the configuration");
  for (const auto& entry : root.entries) {
    if (const auto moved = kMovedKeys.find(entry.key); moved != kMovedKeys.end())
      fail(entry.key_location, fmt::format("`{}:` is no longer a section; {}.", entry.key, moved->second));
    if (std::find(kTopLevelKeys.begin(), kTopLevelKeys.end(), entry.key) == kTopLevelKeys.end())
      detail::unknown_key(entry, "the configuration", kTopLevelKeys);
  }
}

std::string read_name(const ConfigNode& root, const std::string& source) {
  if (const ConfigNode* name = root.find("name")) {
    if (!name->is_scalar()) fail(name->location, "name must be a single word or phrase.");
    return name->scalar;
  }
  const std::string stem = std::filesystem::path(source).stem().string();
  return stem.empty() ? "experiment" : stem;
}

void require_sections(ConfigNode& root, const PluginRegistry& plugins) {
  if (!root.find("measurement"))
    fail(root.location, fmt::format("the configuration needs a `measurement:` section naming a "
                                    "measurement model; available: {}.",
                                    listing(plugins.names(PluginKind::measurement))));
  if (!root.find("loss")) root.set("loss", ConfigNode::make_scalar("squared", {}));
  if (ConfigNode* problem = root.find("problem"); problem && problem->is_mapping() && !problem->find("name"))
    problem->entries.insert(problem->entries.begin(),
                            {"name", {}, ConfigNode::make_scalar("low_rank_psd", problem->location)});
  if (!root.find("problem")) {
    ConfigNode problem = ConfigNode::make_mapping(root.location);
    problem.set("name", ConfigNode::make_scalar("low_rank_psd", {}));
    root.set("problem", std::move(problem));
  }
  if (const ConfigNode* corruptions = root.find("corruptions"); corruptions && !corruptions->is_sequence())
    fail(corruptions->location, "corruptions is a list of corruption plugins, applied to y in order, e.g. "
                                "[{name: outliers, fraction: 0.1}].");
}

std::vector<std::string> read_method_labels(const ConfigNode& root) {
  const ConfigNode* methods = root.find("methods");
  if (!methods || !methods->is_sequence() || methods->items.empty())
    fail(methods ? methods->location : root.location,
         "`methods:` must be a non-empty list; each method has a label, an init, an optimizer "
         "and a width.");
  std::vector<std::string> labels;
  for (const auto& method : methods->items) {
    detail::require_mapping(method, "each entry of methods");
    for (const auto& entry : method.entries)
      if (std::find(kMethodKeys.begin(), kMethodKeys.end(), entry.key) == kMethodKeys.end())
        detail::unknown_key(entry, "a method", kMethodKeys);
    for (const char* key : {"init", "optimizer", "width"})
      if (!method.find(key))
        fail(method.location, fmt::format("this method has no `{}`; a method needs init, "
                                          "optimizer and width.",
                                          key));
    std::string label;
    if (const ConfigNode* node = method.find("label")) {
      if (!node->is_scalar() || node->scalar.empty())
        fail(node->location, "a method label is a non-empty name.");
      label = node->scalar;
    } else {
      label = "method" + std::to_string(labels.size() + 1);
    }
    if (std::find(labels.begin(), labels.end(), label) != labels.end())
      fail(method.location, fmt::format("two methods have the label '{}'; labels must differ.", label));
    labels.push_back(label);
  }
  return labels;
}

/// run.seeds, or run.seed with run.repetitions (neither of which can be swept).
SeedList read_seeds(const ConfigNode& root) {
  const ConfigNode* run = root.find("run");
  if (run) detail::require_mapping(*run, "run");
  const ConfigNode* node = run ? run->find("seeds") : nullptr;
  if (!node) {
    std::int64_t first = 0, count = 1;
    for (const auto& spec : RunSettings::parameters()) {
      const ConfigNode* value = run ? run->find(spec.name) : nullptr;
      if (!value || (spec.name != "seed" && spec.name != "repetitions")) continue;
      if (value->is_sequence())
        fail(value->location, fmt::format("run.{} cannot be swept; list the seeds in run.seeds.", spec.name));
      (spec.name == "seed" ? first : count) =
          std::get<std::int64_t>(detail::parse_value(*value, spec, "run." + spec.name));
    }
    return SeedList::counted(static_cast<std::uint64_t>(first), static_cast<std::uint64_t>(count));
  }
  const std::vector<ConfigNode> items = node->is_sequence() ? node->items : std::vector<ConfigNode>{*node};
  if (items.empty()) fail(node->location, "run.seeds is empty; list at least one seed (or give run.seed).");
  const ParameterSpec spec = ParameterSpec::integer("seeds", 0, "seed of each repetition").at_least(0);
  std::vector<std::uint64_t> seeds;
  for (const auto& item : items)
    seeds.push_back(static_cast<std::uint64_t>(std::get<std::int64_t>(detail::parse_value(item, spec, "run.seeds"))));
  if (const ConfigNode* other = run->find("repetitions") ? run->find("repetitions") : run->find("seed"))
    fail(other->location, "give either run.seeds or run.seed with run.repetitions, not both.");
  return SeedList::listed(std::move(seeds));
}

std::vector<ComponentChoice> read_metrics(const ConfigNode& root, const PluginRegistry& plugins) {
  std::vector<ComponentChoice> metrics;
  const ConfigNode* node = root.find("metrics");
  if (!node) return metrics;
  const std::vector<ConfigNode> items = node->is_sequence() ? node->items : std::vector<ConfigNode>{*node};
  std::vector<std::string> seen;
  for (const auto& item : items) {
    metrics.push_back(validate_component(item, PluginKind::metric, "metrics", plugins));
    const std::string& name = metrics.back().name;
    if (std::find(seen.begin(), seen.end(), name) != seen.end())
      fail(item.location, fmt::format("metric `{}` is listed twice.", name));
    seen.push_back(name);
  }
  return metrics;
}

// ---------------------------------------------------------------- paths

/// Makes every path parameter absolute: relative to the configuration file's
/// folder for values from the file, to the working directory for overrides.
void resolve_paths(ConfigNode& root, const std::vector<std::string>& labels, const PluginRegistry& plugins) {
  auto resolve = [](ConfigNode& value) {
    if (!value.is_scalar() || value.scalar.empty()) return;
    std::filesystem::path path(value.scalar);
    if (path.is_relative()) {
      const bool from_file = value.location.origin.empty() && !value.location.file.empty();
      const std::filesystem::path base =
          from_file ? std::filesystem::absolute(value.location.file).parent_path() : std::filesystem::current_path();
      path = base / path;
    }
    value.scalar = path.lexically_normal().string();
  };
  for (const auto& site : detail::component_sites(root, labels)) {
    ConfigNode* node = detail::at(root, site.path);
    if (!node) continue;
    std::vector<ConfigNode*> choices;
    if (node->is_sequence())
      for (auto& item : node->items) choices.push_back(&item);
    else
      choices.push_back(node);
    for (ConfigNode* choice : choices) {
      if (!choice->is_mapping()) continue;
      const std::string name = detail::component_name(*choice);
      for (const LoadedPlugin* plugin : plugins.plugins()) {
        if (plugin->info().kind != site.kind || plugin->info().name != name) continue;
        for (const auto& spec : plugin->info().parameters) {
          ConfigNode* value = spec.type == ParameterType::path ? choice->find(spec.name) : nullptr;
          if (!value) continue;
          if (value->is_sequence())
            for (auto& item : value->items) resolve(item);
          else
            resolve(*value);
        }
      }
    }
  }
}

/// run.table: how tables show a column's spread over seeds (spread.hpp).
std::string read_table_style(const ConfigNode& root) {
  const ConfigNode* run = root.find("run");
  const ConfigNode* node = run && run->is_mapping() ? run->find("table") : nullptr;
  if (!node) return "quartiles";
  const ParameterSpec spec = ParameterSpec::choice("table", "quartiles", table_styles(),
                                                   "the spread tables show: median [q1, q3], median [min, max] or "
                                                   "mean ± sd");
  return std::get<std::string>(parse_value(*node, spec, "run.table"));
}

}  // namespace

ValidatedConfig validate_configuration(ConfigNode root, const std::string& source, const PluginRegistry& plugins) {
  check_top_level(root);
  ValidatedConfig config;
  config.source = source;
  config.name = read_name(root, source);
  require_sections(root, plugins);
  config.labels = read_method_labels(root);
  resolve_paths(root, config.labels, plugins);
  config.seeds = read_seeds(root);
  config.metrics = read_metrics(root, plugins);
  if (const ConfigNode* figures = root.find("figures")) config.figures = parse_figures(*figures);
  config.table = read_table_style(root);
  config.root = std::move(root);
  return config;
}

}  // namespace ncvx::detail
