#include "ncvx/experiment.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "ncvx/errors.hpp"
#include "ncvx/plugin_registry.hpp"

namespace ncvx {

std::vector<ParameterSpec> RunSettings::parameters() {
  return {
      ParameterSpec::integer("iterations", 1000, "iteration budget of every run").at_least(0),
      ParameterSpec::integer("log_every", 10, "metrics are logged every this many iterations")
          .at_least(1),
      ParameterSpec::integer("seed", 0, "first seed when `repetitions` is used").at_least(0),
      ParameterSpec::integer("repetitions", 1, "runs seeds seed, seed+1, ..., seed+repetitions-1")
          .at_least(1),
      ParameterSpec::real("test_error_below", 0.0,
                          "stop as converged when the test error is at most this (0: never)")
          .at_least(0.0),
      ParameterSpec::real("train_loss_below", 0.0,
                          "stop as converged when the training loss is at most this (0: never)")
          .at_least(0.0),
      ParameterSpec::real("divergence_factor", 1e6,
                          "diverged when f(U) exceeds this times max(f(U_0), f(0))")
          .above(1.0),
      ParameterSpec::boolean("plot", false, "draw the configured figures at the end of the run"),
  };
}

std::vector<ParameterSpec> PhaseSettings::parameters() {
  return {
      ParameterSpec::real("alignment_below", 0.1,
                          "end of phase I: first t with alignment <= this")
          .above(0.0)
          .at_most(1.0),
      ParameterSpec::real("fit_fraction", 0.5,
                          "end of phase II: first t with sigma_min(V_X^T U)^2 >= this * sigma_r")
          .above(0.0),
      ParameterSpec::real("convergence_within", 0.1,
                          "convergence: first t with test_error <= (1 + this) * best")
          .at_least(0.0),
  };
}

namespace {

const std::vector<std::string> kTopLevelKeys = {
    "name", "description", "problem", "measurement", "loss", "methods",
    "metrics", "phases", "run", "sweep", "figures"};
const std::vector<std::string> kMethodKeys = {"label", "init", "optimizer", "width"};

[[noreturn]] void fail(const SourceLocation& where, const std::string& message) {
  throw ConfigError(where.describe() + ": " + message);
}

std::string listing(const std::vector<std::string>& names) {
  return names.empty() ? std::string("(none)") : fmt::format("{}", fmt::join(names, ", "));
}

void unknown_key(const ConfigEntry& entry, const std::string& section,
                 const std::vector<std::string>& valid) {
  const std::string guess = nearest(entry.key, valid);
  fail(entry.key_location,
       fmt::format("unknown key '{}' in {}{} Valid keys: {}.", entry.key, section,
                   guess.empty() ? "." : "; did you mean '" + guess + "'?", listing(valid)));
}

void require_mapping(const ConfigNode& node, const std::string& what) {
  if (!node.is_mapping())
    fail(node.location, fmt::format("{} must be a mapping of keys to values.", what));
}

// ---------------------------------------------------------------- values

std::string describe_spec(const ParameterSpec& spec) {
  std::string constraint = spec.constraint();
  return fmt::format("{}{}{}", to_string(spec.type), constraint.empty() ? "" : ", " + constraint,
                     spec.description.empty() ? "" : "; " + spec.description);
}

bool parse_real(const std::string& text, double& out) {
  std::string t = text;
  if (t == ".inf" || t == ".Inf" || t == "+.inf") t = "inf";
  if (t == "-.inf" || t == "-.Inf") t = "-inf";
  if (t.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size() && errno == 0;
}

ParameterValue parse_value(const ConfigNode& node, const ParameterSpec& spec,
                           const std::string& qualified) {
  auto wrong = [&](const std::string& expected) {
    std::string shown = node.is_scalar() ? "'" + node.scalar + "'"
                        : node.is_mapping() ? std::string("a mapping")
                        : node.is_sequence() ? std::string("a list")
                                             : std::string("empty");
    fail(node.location, fmt::format("{} = {} is not {} ({}).", qualified, shown, expected,
                                    describe_spec(spec)));
  };
  if (!node.is_scalar()) {
    wrong(spec.type == ParameterType::choice ? "a name" : std::string("a ") + to_string(spec.type) +
                                                              " value");
  }
  ParameterValue value;
  switch (spec.type) {
    case ParameterType::real: {
      double number;
      if (node.quoted || !parse_real(node.scalar, number)) wrong("a real number");
      value = number;
      break;
    }
    case ParameterType::integer: {
      double number;
      if (node.quoted || !parse_real(node.scalar, number) || !std::isfinite(number) ||
          number != std::floor(number) || std::fabs(number) > 9.0e15)
        wrong("an integer");
      value = static_cast<std::int64_t>(number);
      break;
    }
    case ParameterType::boolean: {
      const std::string& t = node.scalar;
      if (t == "true" || t == "True" || t == "yes" || t == "on") value = true;
      else if (t == "false" || t == "False" || t == "no" || t == "off") value = false;
      else wrong("a boolean (true or false)");
      break;
    }
    case ParameterType::choice: {
      value = node.scalar;
      if (!spec.admits(value)) {
        const std::string guess = nearest(node.scalar, spec.choices);
        fail(node.location, fmt::format("{} = '{}' is not one of {{{}}}{}.", qualified, node.scalar,
                                        listing(spec.choices),
                                        guess.empty() ? "" : "; did you mean '" + guess + "'?"));
      }
      return value;
    }
  }
  if (!spec.admits(value))
    fail(node.location, fmt::format("{} = {} is out of range. Violated constraint: {} {} ({}).",
                                    qualified, node.scalar, spec.name, spec.constraint(),
                                    spec.description));
  return value;
}

/// Validates the entries of `mapping` against `specs`; keys in `reserved` are
/// handled by the caller. Missing parameters take their defaults.
ParameterValues validate_parameters(const ConfigNode* mapping, const std::vector<ParameterSpec>& specs,
                                    const std::string& section,
                                    const std::vector<std::string>& reserved = {}) {
  ParameterValues values = ParameterValues::defaults(specs);
  if (!mapping) return values;
  require_mapping(*mapping, section);
  std::vector<std::string> valid = reserved;
  for (const auto& spec : specs) valid.push_back(spec.name);
  for (const auto& entry : mapping->entries) {
    if (std::find(reserved.begin(), reserved.end(), entry.key) != reserved.end()) continue;
    const ParameterSpec* spec = nullptr;
    for (const auto& candidate : specs)
      if (candidate.name == entry.key) spec = &candidate;
    if (!spec) unknown_key(entry, section, valid);
    values.set(spec->name, parse_value(entry.value, *spec, section + "." + entry.key));
  }
  return values;
}

ComponentChoice validate_component(const ConfigNode& node, PluginKind kind,
                                   const std::string& section, const PluginRegistry& plugins) {
  ComponentChoice choice;
  choice.kind = kind;
  const ConfigNode* name_node = nullptr;
  if (node.is_scalar()) {
    name_node = &node;
  } else if (node.is_mapping()) {
    name_node = node.find("name");
    if (!name_node)
      fail(node.location, fmt::format("{} needs a `name` (the {} plugin to use); available: {}.",
                                      section, to_string(kind), listing(plugins.names(kind))));
    if (!name_node->is_scalar())
      fail(name_node->location, fmt::format("{}.name must be a plugin name.", section));
  } else {
    fail(node.location,
         fmt::format("{} must be a plugin name or a mapping with `name` and parameters.", section));
  }
  choice.name = name_node->scalar;
  const LoadedPlugin* plugin = nullptr;
  try {
    plugin = &plugins.find(kind, choice.name);
  } catch (const PluginError& error) {
    fail(name_node->location, error.what());
  }
  choice.values = validate_parameters(node.is_mapping() ? &node : nullptr, plugin->info().parameters,
                                      section + " `" + choice.name + "`", {"name"});
  return choice;
}

// ---------------------------------------------------------------- sweeps

struct Axis {
  std::vector<std::string> path;  // segments into the tree; methods by index
  std::string name;               // "problem.n", "methods.small.init.scale"
  std::string column;             // summary column: "problem.n", "init.scale"
  int method = -1;                // -1: global; else the method index
  std::size_t length = 0;
  SourceLocation location;
};

struct Dimension {
  std::vector<std::size_t> axes;  // indices into the axes vector
  std::size_t length = 0;
  int method = -1;
};

ConfigNode* at(ConfigNode& root, const std::vector<std::string>& path) {
  ConfigNode* node = &root;
  for (const auto& part : path) {
    if (node->is_sequence()) {
      node = &node->items[std::stoul(part)];
    } else {
      node = node->find(part);
    }
    if (!node) return nullptr;
  }
  return node;
}

void collect_axes(const ConfigNode& node, std::vector<std::string> path, const std::string& name,
                  const std::string& column, int method, std::vector<Axis>& axes) {
  if (node.is_sequence()) {
    if (node.items.empty()) fail(node.location, fmt::format("the sweep over {} is empty.", name));
    for (const auto& item : node.items)
      if (item.is_sequence())
        fail(item.location, fmt::format("a sweep over {} lists values, not lists.", name));
    axes.push_back({std::move(path), name, column, method, node.items.size(), node.location});
    return;
  }
  if (!node.is_mapping()) return;
  for (const auto& entry : node.entries) {
    auto child = path;
    child.push_back(entry.key);
    collect_axes(entry.value, child, name + "." + entry.key,
                 column.empty() ? entry.key : column + "." + entry.key, method, axes);
  }
}

std::vector<Axis> find_axes(const ConfigNode& root, const std::vector<std::string>& labels) {
  std::vector<Axis> axes;
  for (const char* section : {"problem", "measurement", "loss", "run"}) {
    const ConfigNode* node = root.find(section);
    if (!node) continue;
    if (std::string(section) == "run" && node->is_mapping()) {
      for (const auto& entry : node->entries)
        if (entry.key != "seeds")
          collect_axes(entry.value, {section, entry.key}, std::string(section) + "." + entry.key,
                       std::string(section) + "." + entry.key, -1, axes);
      continue;
    }
    collect_axes(*node, {section}, section, section, -1, axes);
  }
  if (const ConfigNode* methods = root.find("methods"); methods && methods->is_sequence()) {
    for (std::size_t i = 0; i < methods->items.size(); ++i) {
      const ConfigNode& method = methods->items[i];
      if (!method.is_mapping()) continue;
      for (const auto& entry : method.entries) {
        if (entry.key == "label") continue;
        collect_axes(entry.value, {"methods", std::to_string(i), entry.key},
                     "methods." + labels[i] + "." + entry.key, entry.key, static_cast<int>(i),
                     axes);
      }
    }
  }
  return axes;
}

std::vector<Dimension> make_dimensions(const ConfigNode& root, const std::vector<Axis>& axes) {
  std::vector<bool> grouped(axes.size(), false);
  std::vector<Dimension> dimensions;
  const ConfigNode* sweep = root.find("sweep");
  if (sweep) {
    require_mapping(*sweep, "sweep");
    for (const auto& entry : sweep->entries)
      if (entry.key != "zip") unknown_key(entry, "sweep", {"zip"});
    if (const ConfigNode* zip = sweep->find("zip")) {
      if (!zip->is_sequence())
        fail(zip->location, "sweep.zip is a list of groups, each a list of swept keys, e.g. "
                            "[[problem.n, measurement.m]].");
      std::vector<std::string> names;
      for (const auto& axis : axes) names.push_back(axis.name);
      for (const auto& group : zip->items) {
        if (!group.is_sequence() || group.items.size() < 2)
          fail(group.location, "each sweep.zip group lists two or more swept keys.");
        Dimension dimension;
        for (const auto& item : group.items) {
          std::size_t index = axes.size();
          for (std::size_t a = 0; a < axes.size(); ++a)
            if (item.is_scalar() && axes[a].name == item.scalar) index = a;
          if (index == axes.size()) {
            const std::string guess = nearest(item.scalar, names);
            fail(item.location,
                 fmt::format("'{}' in sweep.zip is not a swept key (a key given a list of values){} "
                             "Swept keys: {}.",
                             item.scalar, guess.empty() ? "." : "; did you mean '" + guess + "'?",
                             listing(names)));
          }
          if (grouped[index])
            fail(item.location, fmt::format("'{}' is in more than one zip group.", item.scalar));
          if (!dimension.axes.empty()) {
            const Axis& first = axes[dimension.axes.front()];
            if (axes[index].length != first.length)
              fail(item.location,
                   fmt::format("zipped sweeps must have equal lengths: {} has {} values, {} has {}.",
                               first.name, first.length, axes[index].name, axes[index].length));
            if (axes[index].method != first.method)
              fail(item.location,
                   fmt::format("{} and {} cannot be zipped: one belongs to a method and the other "
                               "does not (or to another method).",
                               first.name, axes[index].name));
          }
          grouped[index] = true;
          dimension.axes.push_back(index);
          dimension.length = axes[index].length;
          dimension.method = axes[index].method;
        }
        dimensions.push_back(dimension);
      }
    }
  }
  for (std::size_t a = 0; a < axes.size(); ++a)
    if (!grouped[a]) dimensions.push_back({{a}, axes[a].length, axes[a].method});
  return dimensions;
}

/// Every combination of the given dimensions (the last one varies fastest).
std::vector<std::vector<std::size_t>> combinations(const std::vector<const Dimension*>& dims) {
  std::vector<std::vector<std::size_t>> result{{}};
  for (const Dimension* dimension : dims) {
    std::vector<std::vector<std::size_t>> next;
    for (const auto& prefix : result)
      for (std::size_t i = 0; i < dimension->length; ++i) {
        auto combination = prefix;
        combination.push_back(i);
        next.push_back(std::move(combination));
      }
    result = std::move(next);
  }
  return result;
}

/// How a swept value appears in summary.csv: the scalar as written, a
/// component's name, or else its position in the list.
std::string label_of(const ConfigNode& item, std::size_t position) {
  if (item.is_scalar()) return item.scalar;
  if (const ConfigNode* name = item.is_mapping() ? item.find("name") : nullptr; name && name->is_scalar())
    return name->scalar;
  return std::to_string(position);
}

void substitute(ConfigNode& tree, const std::vector<Axis>& axes,
                const std::vector<const Dimension*>& dims, const std::vector<std::size_t>& choice,
                std::vector<SweptValue>& swept) {
  for (std::size_t d = 0; d < dims.size(); ++d)
    for (std::size_t a : dims[d]->axes) {
      ConfigNode* node = at(tree, axes[a].path);
      ConfigNode item = node->items[choice[d]];
      swept.push_back({axes[a].column, label_of(item, choice[d])});
      *node = std::move(item);
    }
}

/// Adds every default parameter to a component node (for config.resolved.yaml).
void add_defaults(ConfigNode& node, const ComponentChoice& choice, const PluginRegistry& plugins) {
  if (node.is_scalar()) {
    ConfigNode mapping = ConfigNode::make_mapping(node.location);
    mapping.set("name", node);
    node = std::move(mapping);
  }
  if (!node.is_mapping()) return;
  for (const auto& spec : plugins.find(choice.kind, choice.name).info().parameters)
    if (!node.find(spec.name))
      node.set(spec.name, ConfigNode::make_scalar(to_string(spec.default_value), {}));
}

void add_section_defaults(ConfigNode& root, const std::string& section,
                          const std::vector<ParameterSpec>& specs) {
  ConfigNode* node = root.find(section);
  if (!node) node = &root.set(section, ConfigNode::make_mapping({}));
  if (!node->is_mapping()) return;
  const bool explicit_seeds = node->find("seeds") != nullptr;
  for (const auto& spec : specs)
    if (!node->find(spec.name) && !(explicit_seeds && (spec.name == "seed" || spec.name == "repetitions")))
      node->set(spec.name, ConfigNode::make_scalar(to_string(spec.default_value), {}));
}

}  // namespace

Experiment make_experiment(ConfigNode root, const std::string& source,
                           const PluginRegistry& plugins) {
  require_mapping(root, "the configuration");
  for (const auto& entry : root.entries)
    if (std::find(kTopLevelKeys.begin(), kTopLevelKeys.end(), entry.key) == kTopLevelKeys.end())
      unknown_key(entry, "the configuration", kTopLevelKeys);

  Experiment experiment;
  experiment.source = source;
  if (const ConfigNode* name = root.find("name")) {
    if (!name->is_scalar()) fail(name->location, "name must be a single word or phrase.");
    experiment.name = name->scalar;
  } else {
    experiment.name = std::filesystem::path(source).stem().string();
    if (experiment.name.empty()) experiment.name = "experiment";
  }
  if (!root.find("measurement"))
    fail(root.location, fmt::format("the configuration needs a `measurement:` section naming a "
                                    "measurement model; available: {}.",
                                    listing(plugins.names(PluginKind::measurement))));
  if (!root.find("loss")) root.set("loss", ConfigNode::make_scalar("squared", {}));

  // Methods and their labels.
  const ConfigNode* methods = root.find("methods");
  if (!methods || !methods->is_sequence() || methods->items.empty())
    fail(methods ? methods->location : root.location,
         "`methods:` must be a non-empty list; each method has a label, an init, an optimizer "
         "and a width.");
  std::vector<std::string> labels;
  for (const auto& method : methods->items) {
    require_mapping(method, "each entry of methods");
    for (const auto& entry : method.entries)
      if (std::find(kMethodKeys.begin(), kMethodKeys.end(), entry.key) == kMethodKeys.end())
        unknown_key(entry, "a method", kMethodKeys);
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
  experiment.method_labels = labels;

  // Seeds.
  const ConfigNode* run_node = root.find("run");
  if (run_node) require_mapping(*run_node, "run");
  if (const ConfigNode* seeds = run_node ? run_node->find("seeds") : nullptr) {
    const std::vector<ConfigNode> items =
        seeds->is_sequence() ? seeds->items : std::vector<ConfigNode>{*seeds};
    const ParameterSpec seed_spec =
        ParameterSpec::integer("seeds", 0, "seed of each repetition").at_least(0);
    for (const auto& item : items)
      experiment.seeds.push_back(
          static_cast<std::uint64_t>(std::get<std::int64_t>(parse_value(item, seed_spec, "run.seeds"))));
    if (run_node->find("repetitions") || run_node->find("seed"))
      fail(seeds->location, "give either run.seeds or run.seed with run.repetitions, not both.");
  }

  // Extra metrics, phase thresholds and figures (never swept).
  if (const ConfigNode* metrics = root.find("metrics")) {
    const std::vector<ConfigNode> items =
        metrics->is_sequence() ? metrics->items : std::vector<ConfigNode>{*metrics};
    std::vector<std::string> seen;
    for (const auto& item : items) {
      experiment.metrics.push_back(validate_component(item, PluginKind::metric, "metrics", plugins));
      const std::string& name = experiment.metrics.back().name;
      if (std::find(seen.begin(), seen.end(), name) != seen.end())
        fail(item.location, fmt::format("metric `{}` is listed twice.", name));
      seen.push_back(name);
    }
  }
  {
    const ParameterValues values =
        validate_parameters(root.find("phases"), PhaseSettings::parameters(), "phases");
    experiment.phases.alignment_below = values.real("alignment_below");
    experiment.phases.fit_fraction = values.real("fit_fraction");
    experiment.phases.convergence_within = values.real("convergence_within");
  }
  if (const ConfigNode* figures = root.find("figures")) experiment.figures = parse_figures(*figures);

  const std::vector<Axis> axes = find_axes(root, labels);
  const std::vector<Dimension> dimensions = make_dimensions(root, axes);
  for (const auto& axis : axes) experiment.axes.push_back(axis.column);
  // Drop duplicate columns (two methods sweeping init.scale share one).
  std::vector<std::string> columns;
  for (const auto& c : experiment.axes)
    if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
  experiment.axes = columns;

  std::vector<const Dimension*> global;
  std::vector<std::vector<const Dimension*>> per_method(labels.size());
  for (const auto& dimension : dimensions) {
    if (dimension.method < 0) global.push_back(&dimension);
    else per_method[static_cast<std::size_t>(dimension.method)].push_back(&dimension);
  }

  const auto run_specs = RunSettings::parameters();
  const auto problem_specs = ProblemSpec::parameters();
  bool resolved_done = false;
  for (const auto& global_choice : combinations(global)) {
    ConfigNode tree = root;
    std::vector<SweptValue> global_swept;
    substitute(tree, axes, global, global_choice, global_swept);

    const ProblemSpec problem = [&] {
      const ConfigNode* node = tree.find("problem");
      const ParameterValues values = validate_parameters(node, problem_specs, "problem");
      try {
        return ProblemSpec::from(values);
      } catch (const Error& error) {
        fail(node ? node->location : root.location, error.what());
      }
    }();
    const ComponentChoice measurement = validate_component(
        *tree.find("measurement"), PluginKind::measurement, "measurement", plugins);
    const ComponentChoice loss = validate_component(*tree.find("loss"), PluginKind::loss, "loss", plugins);
    const ParameterValues run_values =
        validate_parameters(tree.find("run"), run_specs, "run", {"seeds"});
    RunSettings settings;
    settings.iterations = run_values.integer("iterations");
    settings.log_every = run_values.integer("log_every");
    settings.test_error_below = run_values.real("test_error_below");
    settings.train_loss_below = run_values.real("train_loss_below");
    settings.divergence_factor = run_values.real("divergence_factor");
    settings.plot = run_values.boolean("plot");
    if (experiment.seeds.empty())
      for (std::int64_t i = 0; i < run_values.integer("repetitions"); ++i)
        experiment.seeds.push_back(static_cast<std::uint64_t>(run_values.integer("seed") + i));

    std::string instance_key = fmt::format("n={} r={} kappa={} spectrum={} noise={} measurement={}",
                                           problem.dimension, problem.rank, problem.condition_number,
                                           problem.spectrum, problem.noise, measurement.name);
    for (const auto& [key, value] : measurement.values.all())
      instance_key += " " + key + "=" + to_string(value);

    // Methods at this global point.
    std::vector<std::vector<std::pair<MethodSpec, std::vector<SweptValue>>>> method_points(labels.size());
    for (std::size_t m = 0; m < labels.size(); ++m) {
      for (const auto& method_choice : combinations(per_method[m])) {
        ConfigNode method_tree = tree;
        std::vector<SweptValue> swept;
        substitute(method_tree, axes, per_method[m], method_choice, swept);
        const ConfigNode& node = *at(method_tree, {"methods", std::to_string(m)});
        const std::string section = "method '" + labels[m] + "'";
        MethodSpec method;
        method.label = labels[m];
        method.initializer = validate_component(*node.find("init"), PluginKind::initializer,
                                                section + " init", plugins);
        method.optimizer = validate_component(*node.find("optimizer"), PluginKind::optimizer,
                                              section + " optimizer", plugins);
        const ParameterSpec width_spec =
            ParameterSpec::integer("width", 1, "number of columns k of the factor U (n x k)")
                .at_least(1);
        method.width = std::get<std::int64_t>(
            parse_value(*node.find("width"), width_spec, section + " width"));
        method_points[m].push_back({method, swept});
        if (!resolved_done && method_choice == combinations(per_method[m]).front()) {
          // Defaults go into the resolved tree (lists stay as written).
          ConfigNode& original = root.find("methods")->items[m];
          if (!original.find("init")->is_sequence())
            add_defaults(*original.find("init"), method.initializer, plugins);
          if (!original.find("optimizer")->is_sequence())
            add_defaults(*original.find("optimizer"), method.optimizer, plugins);
        }
      }
    }

    if (!resolved_done) {
      if (!root.find("measurement")->is_sequence()) add_defaults(*root.find("measurement"), measurement, plugins);
      if (!root.find("loss")->is_sequence()) add_defaults(*root.find("loss"), loss, plugins);
      add_section_defaults(root, "problem", problem_specs);
      add_section_defaults(root, "phases", PhaseSettings::parameters());
      if (ConfigNode* metrics = root.find("metrics"); metrics && metrics->is_sequence())
        for (std::size_t i = 0; i < metrics->items.size(); ++i)
          add_defaults(metrics->items[i], experiment.metrics[i], plugins);
      add_section_defaults(root, "run", run_specs);
      resolved_done = true;
    }

    for (const std::uint64_t seed : experiment.seeds)
      for (std::size_t m = 0; m < labels.size(); ++m)
        for (const auto& [method, swept] : method_points[m]) {
          RunSpec run;
          run.id = static_cast<Index>(experiment.runs.size());
          run.seed = seed;
          run.problem = problem;
          run.measurement = measurement;
          run.loss = loss;
          run.method = method;
          run.settings = settings;
          run.swept = global_swept;
          run.swept.insert(run.swept.end(), swept.begin(), swept.end());
          run.instance_key = instance_key + " seed=" + std::to_string(seed);
          experiment.runs.push_back(std::move(run));
        }
  }
  if (!root.find("name")) root.entries.insert(root.entries.begin(), {"name", {}, ConfigNode::make_scalar(experiment.name, {})});
  experiment.resolved = std::move(root);
  return experiment;
}

Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides,
                           const PluginRegistry& plugins) {
  ConfigNode root = load_config_file(path);
  for (const auto& assignment : overrides) apply_override(root, assignment);
  Experiment experiment = make_experiment(std::move(root), path, plugins);
  experiment.overrides = overrides;
  return experiment;
}

}  // namespace ncvx
