#include "ncvx/study/experiment.hpp"

#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "config_values.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/plugin_registry.hpp"
#include "sweep_axes.hpp"

namespace ncvx {

using detail::fail;
using detail::listing;

std::string ComponentChoice::key() const {
  std::string text = name;
  for (const auto& [parameter, value] : values.all()) text += " " + parameter + "=" + to_string(value);
  return text;
}

SeedList SeedList::listed(std::vector<std::uint64_t> seeds) {
  SeedList list;
  list.seeds_ = std::move(seeds);
  return list;
}

SeedList SeedList::counted(std::uint64_t first, std::uint64_t count) {
  SeedList list;
  list.listed_ = false;
  list.first_ = first;
  list.count_ = count;
  return list;
}

std::size_t Experiment::run_count() const { return point_starts.empty() ? 0 : point_starts.back(); }

RunSpec Experiment::run(std::size_t id) const {
  // The point: the last start at or before id.
  const auto after = std::upper_bound(point_starts.begin(), point_starts.end() - 1, id);
  const std::size_t p = static_cast<std::size_t>(after - point_starts.begin()) - 1;
  const SweepPoint& point = points[p];
  const std::size_t within = id - point_starts[p];
  const std::uint64_t seed = seeds[within / point.methods.size()];
  const SweepPoint::Method& method = point.methods[within % point.methods.size()];
  RunSpec run;
  run.id = static_cast<Index>(id);
  run.seed = seed;
  run.problem = point.problem;
  run.corruptions = point.corruptions;
  run.measurement = point.measurement;
  run.method = method.spec;
  run.settings = point.settings;
  run.swept = method.swept;
  run.instance_key = point.instance_key + " seed=" + std::to_string(seed);
  return run;
}

int Experiment::column(const std::string& name) const {
  const auto it = std::find(columns.begin(), columns.end(), name);
  return it == columns.end() ? -1 : static_cast<int>(it - columns.begin());
}

std::vector<ParameterSpec> RunSettings::parameters() {
  return {
      ParameterSpec::integer("iterations", 1000, "iteration budget of every run").at_least(0),
      ParameterSpec::integer("log_every", 10, "metrics are logged every this many iterations")
          .at_least(1),
      ParameterSpec::integer("seed", 0, "first seed when `repetitions` is used").at_least(0),
      ParameterSpec::integer("repetitions", 1, "runs seeds seed, seed+1, ..., seed+repetitions-1")
          .at_least(1),
      ParameterSpec::text("error", "auto",
                          "the metrics.csv column the table, best_* and convergence use; auto: "
                          "test_error, else heldout_rmse, else train_loss"),
      ParameterSpec::real("test_error_below", 0.0,
                          "stop as converged when the test error is at most this (0: never)")
          .at_least(0.0),
      ParameterSpec::real("train_loss_below", 0.0,
                          "stop as converged when the training loss is at most this (0: never)")
          .at_least(0.0),
      ParameterSpec::real("divergence_factor", 1e6,
                          "diverged when f(U) exceeds this times max(f(U_0), f(0))")
          .above(1.0),
      ParameterSpec::real("convergence_within", 0.1,
                          "convergence_iteration: first logged t with error <= (1 + this) * best")
          .at_least(0.0),
      ParameterSpec::boolean("plot", false, "draw the configured figures at the end of the run"),
      ParameterSpec::real("success_below", 0.0,
                          "a run succeeds when its final error is at most this: summary.csv's success column "
                          "and the table's success rate (0: none)")
          .at_least(0.0),
      ParameterSpec::real("max_seconds", 0.0,
                          "a run that takes longer stops as failed (timeout); 0: no limit. With --isolate a "
                          "plugin that hangs is killed too")
          .at_least(0.0),
  };
}

namespace {

const std::vector<std::string> kTopLevelKeys = {
    "name", "description", "problem", "corruptions", "measurement", "loss", "methods",
    "metrics", "run",  "sweep",       "figures"};
const std::vector<std::string> kMethodKeys = {"label", "init", "optimizer", "width", "loss", "factorization"};
/// Keys that existed in earlier versions, with where they went.
const std::map<std::string, std::string> kMovedKeys = {
    {"phases", "the phase thresholds moved to the `phases` metric: metrics: [{name: phases, "
               "alignment_below: 0.1, fit_fraction: 0.5}] (run.convergence_within for convergence)"},
};

ComponentChoice choose(const ConfigNode& node, PluginKind kind, const std::string& section,
                       const PluginRegistry& plugins) {
  return detail::validate_component(node, kind, section, plugins);
}

// ---------------------------------------------------------------- stage: top level

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

/// a * b, or nullopt when it exceeds `limit`.
std::optional<std::size_t> product_within(std::size_t a, std::size_t b, std::size_t limit) {
  if (a != 0 && b > limit / a) return std::nullopt;
  return a * b;
}

/// Refuses, before anything is expanded, a sweep of more than kMaxRuns runs.
void check_size(const ConfigNode& root, const std::vector<const detail::Dimension*>& global,
                const std::vector<std::vector<const detail::Dimension*>>& per_method, std::size_t seeds) {
  std::optional<std::size_t> points = 1, methods = 0;
  for (const auto* dimension : global) points = points ? product_within(*points, dimension->length, kMaxRuns) : points;
  for (const auto& dimensions : per_method) {
    std::optional<std::size_t> count = 1;
    for (const auto* dimension : dimensions) count = count ? product_within(*count, dimension->length, kMaxRuns) : count;
    methods = methods && count && *methods + *count <= kMaxRuns ? std::optional<std::size_t>(*methods + *count)
                                                                : std::nullopt;
  }
  const std::optional<std::size_t> sweep_points =
      points && methods ? product_within(*points, *methods, kMaxRuns) : std::nullopt;
  if (!sweep_points || *sweep_points > kMaxSweepPoints) {
    const auto show = [](const std::optional<std::size_t>& count) {
      return count ? std::to_string(*count) : std::string("more than ") + std::to_string(kMaxRuns);
    };
    fail(root.location, fmt::format("this configuration sweeps {} global points x {} method points, more than the "
                                    "{} sweep points one experiment may hold; split the sweep into several "
                                    "experiments.",
                                    show(points), show(methods), kMaxSweepPoints));
  }
  std::optional<std::size_t> runs = product_within(*sweep_points, seeds, kMaxRuns);
  if (runs && *runs <= kMaxRuns) return;
  const auto show = [](const std::optional<std::size_t>& count) {
    return count ? std::to_string(*count) : std::string("more than ") + std::to_string(kMaxRuns);
  };
  const ConfigNode* run = root.find("run");
  const ConfigNode* repetitions = run && run->is_mapping() ? run->find("repetitions") : nullptr;
  fail(repetitions ? repetitions->location : root.location,
       fmt::format("this configuration expands to more than {} runs ({} sweep points x {} method points x {} "
                   "seeds), the most one experiment may hold; split the sweep into several experiments or run "
                   "fewer seeds.",
                   kMaxRuns, show(points), show(methods), seeds));
}

std::vector<ComponentChoice> read_metrics(const ConfigNode& root, const PluginRegistry& plugins) {
  std::vector<ComponentChoice> metrics;
  const ConfigNode* node = root.find("metrics");
  if (!node) return metrics;
  const std::vector<ConfigNode> items = node->is_sequence() ? node->items : std::vector<ConfigNode>{*node};
  std::vector<std::string> seen;
  for (const auto& item : items) {
    metrics.push_back(choose(item, PluginKind::metric, "metrics", plugins));
    const std::string& name = metrics.back().name;
    if (std::find(seen.begin(), seen.end(), name) != seen.end())
      fail(item.location, fmt::format("metric `{}` is listed twice.", name));
    seen.push_back(name);
  }
  return metrics;
}

// ---------------------------------------------------------------- stage: paths

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

// ---------------------------------------------------------------- stage: one point of the sweep

/// The problems seen so far, each created once.
class ProblemCache {
 public:
  ProblemCache(std::vector<ProblemChoice>& problems, const PluginRegistry& plugins)
      : problems_(problems), plugins_(plugins) {}

  std::size_t index(const ComponentChoice& choice, const SourceLocation& where) {
    const std::string key = choice.key();
    if (const auto it = indices_.find(key); it != indices_.end()) return it->second;
    ProblemChoice entry;
    entry.choice = choice;
    try {
      const LoadedPlugin& plugin = plugins_.find(PluginKind::problem, choice.name);
      entry.model = plugin.create_problem(choice.values);
      entry.description = plugin.guard("describing itself", [&] { return entry.model->describe(); });
    } catch (const Error& error) {
      fail(where, error.what());
    }
    const MatrixShape& shape = entry.description.shape;
    if (shape.rows < 1 || shape.cols < 1 || (shape.symmetric && shape.rows != shape.cols))
      fail(where, fmt::format("problem `{}` describes an invalid shape {}.", choice.name, shape.describe()));
    if (!entry.description.ground_truth && !entry.description.observed)
      fail(where, fmt::format("problem `{}` provides neither a ground truth nor observed entries.",
                              choice.name));
    problems_.push_back(std::move(entry));
    return indices_[key] = problems_.size() - 1;
  }

 private:
  std::vector<ProblemChoice>& problems_;
  const PluginRegistry& plugins_;
  std::map<std::string, std::size_t> indices_;
};

/// A point while it is read: the sweep point, and what its validation still needs.
struct GlobalPoint {
  SweepPoint sweep;
  ComponentChoice loss;              // the methods' default loss
  ParameterValues run_values;
  std::vector<StopRule> stop_rules;  // run.stop as written (validated against the columns later)
};

std::vector<StopRule> read_stop_rules(const ConfigNode* run) {
  std::vector<StopRule> rules;
  const ConfigNode* stop = run ? run->find("stop") : nullptr;
  if (!stop) return rules;
  if (!stop->is_mapping())
    fail(stop->location, "run.stop maps metric columns to thresholds, e.g. {test_error: 1e-10}: a run "
                         "stops as converged when the column is at most its threshold.");
  const ParameterSpec spec = ParameterSpec::real("stop", 0.0, "stop threshold");
  for (const auto& entry : stop->entries)
    rules.push_back({entry.key, std::get<double>(detail::parse_value(entry.value, spec, "run.stop." + entry.key))});
  return rules;
}

GlobalPoint read_global_point(const ConfigNode& tree, ProblemCache& problems, const PluginRegistry& plugins) {
  GlobalPoint point;
  SweepPoint& sweep = point.sweep;
  const ConfigNode& problem = *tree.find("problem");
  sweep.problem = problems.index(choose(problem, PluginKind::problem, "problem", plugins), problem.location);
  if (const ConfigNode* corruptions = tree.find("corruptions"))
    for (const auto& item : corruptions->items)
      sweep.corruptions.push_back(choose(item, PluginKind::corruption, "corruptions", plugins));
  sweep.measurement = choose(*tree.find("measurement"), PluginKind::measurement, "measurement", plugins);
  point.loss = choose(*tree.find("loss"), PluginKind::loss, "loss", plugins);
  point.run_values = detail::validate_parameters(tree.find("run"), RunSettings::parameters(), "run", {"seeds", "stop"});
  RunSettings& settings = sweep.settings;
  settings.iterations = point.run_values.integer("iterations");
  settings.log_every = point.run_values.integer("log_every");
  settings.divergence_factor = point.run_values.real("divergence_factor");
  settings.convergence_within = point.run_values.real("convergence_within");
  settings.plot = point.run_values.boolean("plot");
  settings.max_seconds = point.run_values.real("max_seconds");
  settings.success_below = point.run_values.real("success_below");
  point.stop_rules = read_stop_rules(tree.find("run"));

  sweep.instance_key = "problem=" + std::to_string(sweep.problem);
  for (const auto& corruption : sweep.corruptions) sweep.instance_key += " corruption=" + corruption.key();
  sweep.instance_key += " measurement=" + sweep.measurement.key();
  return point;
}

MethodSpec read_method(const ConfigNode& node, const std::string& label, const ComponentChoice& default_loss,
                       const ProblemChoice& problem, const PluginRegistry& plugins) {
  const std::string section = "method '" + label + "'";
  MethodSpec method;
  method.label = label;
  method.initializer = choose(*node.find("init"), PluginKind::initializer, section + " init", plugins);
  method.optimizer = choose(*node.find("optimizer"), PluginKind::optimizer, section + " optimizer", plugins);
  method.loss = node.find("loss") ? choose(*node.find("loss"), PluginKind::loss, section + " loss", plugins)
                                  : default_loss;
  const ParameterSpec width_spec =
      ParameterSpec::integer("width", 1, "number of columns k of the factors (U: n1 x k)").at_least(1);
  method.width = std::get<std::int64_t>(detail::parse_value(*node.find("width"), width_spec, section + " width"));
  const ParameterSpec factorization_spec = ParameterSpec::choice(
      "factorization", "auto", {"auto", "symmetric", "asymmetric"},
      "X = U U^T (symmetric) or X = U V^T; auto: symmetric for a symmetric problem");
  const ConfigNode* factorization = node.find("factorization");
  const std::string chosen =
      factorization ? std::get<std::string>(detail::parse_value(*factorization, factorization_spec,
                                                                section + " factorization"))
                    : "auto";
  const MatrixShape& shape = problem.description.shape;
  method.symmetric_factorization = chosen == "auto" ? shape.symmetric : chosen == "symmetric";
  if (method.symmetric_factorization && !shape.symmetric)
    fail(factorization ? factorization->location : node.location,
         fmt::format("{}: problem `{}` is {} (not symmetric), so it is fitted by X = U V^T; set "
                     "factorization: asymmetric (or leave it out).",
                     section, problem.choice.name, shape.describe()));
  const LoadedPlugin& optimizer = plugins.find(PluginKind::optimizer, method.optimizer.name);
  const FactorShape factors{shape.rows, shape.cols, method.width, method.symmetric_factorization};
  const std::string why = optimizer.guard("checking the factorization", [&] {
    return optimizer.create_optimizer(method.optimizer.values)->refuses(factors);
  });
  if (!why.empty())
    fail(factorization ? factorization->location : node.find("optimizer")->location,
         fmt::format("{}: optimizer `{}` cannot fit X = {}: {}", section, method.optimizer.name,
                     method.symmetric_factorization ? "U U^T" : "U V^T", why));
  return method;
}

// ---------------------------------------------------------------- stage: columns and errors

/// metrics.csv columns: train_loss, test_error / heldout_rmse where a problem
/// has them, then every metric's (unique); summary columns of the metrics.
void decide_columns(Experiment& experiment, const ConfigNode& root, const PluginRegistry& plugins) {
  bool truth = false, heldout = false;
  for (const auto& problem : experiment.problems) {
    truth = truth || problem.description.ground_truth;
    heldout = heldout || problem.description.heldout;
  }
  experiment.columns = {"train_loss"};
  if (truth) experiment.columns.push_back("test_error");
  if (heldout) experiment.columns.push_back("heldout_rmse");
  const ConfigNode* metrics = root.find("metrics");
  for (std::size_t i = 0; i < experiment.metrics.size(); ++i) {
    const ComponentChoice& choice = experiment.metrics[i];
    const LoadedPlugin& plugin = plugins.find(PluginKind::metric, choice.name);
    const SourceLocation& where =
        metrics->is_sequence() ? metrics->items[i].location : metrics->location;
    std::vector<std::string> columns, summary;
    try {
      const auto metric = plugin.create_metric(choice.values);
      columns = plugin.guard("naming its columns", [&] { return metric->columns(); });
      summary = plugin.guard("naming its columns", [&] { return metric->summary_columns(); });
    } catch (const Error& error) {
      fail(where, error.what());
    }
    for (const auto& column : columns) {
      if (experiment.column(column) >= 0)
        fail(where, fmt::format("metric `{}` adds the column '{}', which metrics.csv already has.",
                                choice.name, column));
      experiment.columns.push_back(column);
    }
    for (const auto& column : summary) {
      if (std::find(experiment.summary_columns.begin(), experiment.summary_columns.end(), column) !=
          experiment.summary_columns.end())
        fail(where, fmt::format("metric `{}` adds the summary column '{}' twice.", choice.name, column));
      experiment.summary_columns.push_back(column);
    }
  }
}

/// run.error, and the stop rules checked against the columns.
void decide_error(Experiment& experiment, const ConfigNode& root, const std::string& error,
                  std::vector<GlobalPoint>& points) {
  const ConfigNode* run = root.find("run");
  auto where = [&](const std::string& key) {
    const ConfigNode* node = run && run->is_mapping() ? run->find(key) : nullptr;
    return node ? node->location : (run ? run->location : root.location);
  };
  if (error == "auto") {
    experiment.error = experiment.column("test_error") >= 0     ? "test_error"
                       : experiment.column("heldout_rmse") >= 0 ? "heldout_rmse"
                                                                : "train_loss";
  } else {
    if (experiment.column(error) < 0) {
      const std::string guess = nearest(error, experiment.columns);
      fail(where("error"), fmt::format("run.error = '{}' is not a column of metrics.csv{} Columns: {}.", error,
                                       guess.empty() ? "." : "; did you mean '" + guess + "'?",
                                       listing(experiment.columns)));
    }
    experiment.error = error;
  }
  for (GlobalPoint& point : points) {
    std::vector<StopRule> rules;
    for (const char* legacy : {"test_error", "train_loss"}) {
      const double threshold = point.run_values.real(std::string(legacy) + "_below");
      if (threshold <= 0) continue;
      if (experiment.column(legacy) < 0)
        fail(where(std::string(legacy) + "_below"),
             fmt::format("run.{}_below needs the column {}, which this problem does not have.", legacy, legacy));
      rules.push_back({legacy, threshold});
    }
    for (const StopRule& rule : point.stop_rules) {
      if (experiment.column(rule.column) < 0) {
        const std::string guess = nearest(rule.column, experiment.columns);
        fail(where("stop"), fmt::format("run.stop.{} is not a column of metrics.csv{} Columns: {}.", rule.column,
                                        guess.empty() ? "." : "; did you mean '" + guess + "'?",
                                        listing(experiment.columns)));
      }
      rules.push_back(rule);
    }
    point.sweep.settings.stop = std::move(rules);
    experiment.success_column = experiment.success_column || point.sweep.settings.success_below > 0;
  }
}

// ---------------------------------------------------------------- stage: the resolved tree

ConfigNode value_node(const ParameterValue& value) {
  if (const auto* list = std::get_if<std::vector<double>>(&value)) {
    ConfigNode sequence;
    sequence.kind = ConfigNode::Kind::sequence;
    for (double element : *list) sequence.items.push_back(ConfigNode::make_scalar(fmt::format("{}", element), {}));
    return sequence;
  }
  return ConfigNode::make_scalar(to_string(value), {});
}

/// Writes every default parameter into the component nodes that are not swept.
void add_defaults(ConfigNode& root, const std::vector<std::string>& labels, const PluginRegistry& plugins) {
  for (const auto& site : detail::component_sites(root, labels)) {
    ConfigNode* node = detail::at(root, site.path);
    if (!node || node->is_sequence()) continue;
    if (node->is_scalar()) {
      ConfigNode mapping = ConfigNode::make_mapping(node->location);
      mapping.set("name", *node);
      *node = std::move(mapping);
    }
    if (!node->is_mapping()) continue;
    const std::string name = detail::component_name(*node);
    for (const LoadedPlugin* plugin : plugins.plugins())
      if (plugin->info().kind == site.kind && plugin->info().name == name)
        for (const auto& spec : plugin->info().parameters)
          if (!node->find(spec.name)) node->set(spec.name, value_node(spec.default_value));
  }
  ConfigNode* run = root.find("run");
  if (!run) run = &root.set("run", ConfigNode::make_mapping({}));
  if (!run->is_mapping()) return;
  const bool explicit_seeds = run->find("seeds") != nullptr;
  for (const auto& spec : RunSettings::parameters())
    if (!run->find(spec.name) && !(explicit_seeds && (spec.name == "seed" || spec.name == "repetitions")))
      run->set(spec.name, value_node(spec.default_value));
}

}  // namespace

Experiment make_experiment(ConfigNode root, const std::string& source, const PluginRegistry& plugins) {
  check_top_level(root);
  Experiment experiment;
  experiment.source = source;
  experiment.name = read_name(root, source);
  require_sections(root, plugins);
  const std::vector<std::string> labels = read_method_labels(root);
  experiment.method_labels = labels;
  resolve_paths(root, labels, plugins);
  experiment.seeds = read_seeds(root);
  experiment.metrics = read_metrics(root, plugins);
  if (const ConfigNode* figures = root.find("figures")) experiment.figures = parse_figures(*figures);

  // The sweep: axes, their dimensions, global and per-method.
  const std::vector<detail::Axis> axes = detail::find_axes(root, labels, plugins);
  const std::vector<detail::Dimension> dimensions = detail::make_dimensions(root, axes);
  for (const auto& axis : axes)  // two methods sweeping init.scale share one column
    if (std::find(experiment.axes.begin(), experiment.axes.end(), axis.column) == experiment.axes.end())
      experiment.axes.push_back(axis.column);
  std::vector<const detail::Dimension*> global;
  std::vector<std::vector<const detail::Dimension*>> per_method(labels.size());
  for (const auto& dimension : dimensions) {
    if (dimension.method < 0) global.push_back(&dimension);
    else per_method[static_cast<std::size_t>(dimension.method)].push_back(&dimension);
  }

  check_size(root, global, per_method, experiment.seeds.size());

  // Every point: its problem, measurement, settings and methods.
  ProblemCache problems(experiment.problems, plugins);
  std::vector<GlobalPoint> points;
  std::string error;
  for (const auto& global_choice : detail::combinations(global)) {
    ConfigNode tree = root;
    std::vector<detail::SweptValueRecord> global_swept;
    detail::substitute(tree, axes, global, global_choice, global_swept);
    GlobalPoint point = read_global_point(tree, problems, plugins);
    const std::string point_error = point.run_values.text("error");
    if (points.empty()) error = point_error;
    else if (point_error != error)
      fail(root.find("run")->location, "run.error cannot be swept: the table compares one error.");
    for (std::size_t m = 0; m < labels.size(); ++m)
      for (const auto& method_choice : detail::combinations(per_method[m])) {
        ConfigNode method_tree = tree;
        std::vector<detail::SweptValueRecord> swept = global_swept;
        detail::substitute(method_tree, axes, per_method[m], method_choice, swept);
        const ConfigNode& node = *detail::at(method_tree, {"methods", std::to_string(m)});
        SweepPoint::Method method;
        method.spec = read_method(node, labels[m], point.loss, experiment.problems[point.sweep.problem], plugins);
        for (const auto& record : swept) method.swept.push_back({record.axis, record.value});
        point.sweep.methods.push_back(std::move(method));
      }
    points.push_back(std::move(point));
  }

  decide_columns(experiment, root, plugins);
  decide_error(experiment, root, error, points);
  std::size_t runs = 0;
  for (GlobalPoint& point : points) {
    experiment.point_starts.push_back(runs);
    runs += experiment.seeds.size() * point.sweep.methods.size();
    experiment.points.push_back(std::move(point.sweep));
  }
  experiment.point_starts.push_back(runs);

  add_defaults(root, labels, plugins);
  if (ConfigNode* run = root.find("run"); run && run->is_mapping())
    run->set("error", ConfigNode::make_scalar(experiment.error, {}));  // as decided
  if (!root.find("name"))
    root.entries.insert(root.entries.begin(), {"name", {}, ConfigNode::make_scalar(experiment.name, {})});
  experiment.resolved = std::move(root);
  return experiment;
}

ParameterValues parse_parameter_assignments(const PluginInfo& plugin, const std::vector<std::string>& assignments) {
  ConfigNode mapping = ConfigNode::make_mapping({});
  for (const auto& assignment : assignments) {
    SourceLocation origin;
    origin.origin = fmt::format("parameter `{}`", assignment);
    const auto equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0)
      throw ConfigError(origin.describe() + ": a parameter is written key=value.");
    ConfigNode value = parse_config_text(assignment.substr(equals + 1), origin);
    if (value.kind == ConfigNode::Kind::null) value = ConfigNode::make_scalar("", origin);
    const std::string key = assignment.substr(0, equals);
    for (const auto& spec : plugin.parameters)
      if (spec.name == key && spec.type == ParameterType::path && value.is_scalar() && !value.scalar.empty())
        value.scalar = std::filesystem::absolute(value.scalar).lexically_normal().string();
    mapping.set(key, std::move(value), origin);
  }
  return detail::validate_parameters(&mapping, plugin.parameters, to_string(plugin.kind) + std::string(" `") +
                                                                      plugin.name + "`");
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
