// Stage 4 of the configuration path (config_stages.hpp): the metrics.csv
// and summary.csv columns, the experiment's error and its stop rules checked
// against the columns, the first run id of every point, and the resolved
// tree (every default written out) that config.resolved.yaml holds.

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "config_stages.hpp"
#include "config_values.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/plugin_registry.hpp"
#include "sweep_axes.hpp"

namespace ncvx::detail {

namespace {

// ---------------------------------------------------------------- columns and errors

/// A column name is a word of letters, digits, '_', '.' and '-' (it heads a
/// CSV column, names a figure's axis and a stop rule's key).
void check_column_name(const SourceLocation& where, const std::string& metric, const std::string& column) {
  const bool valid = !column.empty() && column.size() <= 100 &&
                     std::all_of(column.begin(), column.end(), [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
                     });
  if (!valid) {
    std::string shown = column.substr(0, 100);
    for (char& c : shown)
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    fail(where, fmt::format("metric `{}` names a column '{}'; a column name is letters, digits, '_', '.' and '-'.",
                            metric, shown));
  }
}

/// metrics.csv columns: train_loss, test_error / heldout_rmse where a problem
/// has them, then every metric's (unique); summary columns of the metrics.
void decide_columns(Experiment& experiment, const ConfigNode& root, const PluginRegistry& plugins) {
  bool truth = false, heldout = false;
  for (const auto& problem : experiment.problems) {
    truth = truth || problem.description.ground_truth;
    heldout = heldout || problem.description.heldout;
    experiment.validation = experiment.validation || problem.validation > 0;
  }
  experiment.columns = {"train_loss"};
  if (truth) experiment.columns.push_back("test_error");
  if (heldout) experiment.columns.push_back("heldout_rmse");
  if (experiment.validation) experiment.columns.push_back("validation_rmse");
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
      check_column_name(where, choice.name, column);
      if (experiment.column(column) >= 0)
        fail(where, fmt::format("metric `{}` adds the column '{}', which metrics.csv already has.",
                                choice.name, column));
      experiment.columns.push_back(column);
    }
    for (const auto& column : summary) {
      check_column_name(where, choice.name, column);
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
    if (point.sweep.settings.patience > 0 && experiment.problems[point.sweep.problem].validation <= 0)
      fail(where("patience"), "run.patience stops on validation_rmse, and this problem holds out no validation "
                              "set: set problem.validation (e.g. 0.1).");
  }
}

/// A method's own stop rules name columns of metrics.csv.
void check_method_stops(const Experiment& experiment, const ConfigNode& root, const std::vector<GlobalPoint>& points,
                        const std::vector<std::string>& labels) {
  const ConfigNode* methods = root.find("methods");
  for (const GlobalPoint& point : points)
    for (const auto& method : point.sweep.methods) {
      if (!method.spec.stop) continue;
      for (const StopRule& rule : *method.spec.stop) {
        if (experiment.column(rule.column) >= 0) continue;
        const auto index = static_cast<std::size_t>(std::find(labels.begin(), labels.end(), method.spec.label) -
                                                    labels.begin());
        const ConfigNode* node = methods && index < methods->items.size() ? methods->items[index].find("stop") : nullptr;
        const std::string guess = nearest(rule.column, experiment.columns);
        fail(node ? node->location : root.location,
             fmt::format("method '{}' stop.{} is not a column of metrics.csv{} Columns: {}.", method.spec.label,
                         rule.column, guess.empty() ? "." : "; did you mean '" + guess + "'?",
                         listing(experiment.columns)));
      }
    }
}

// ---------------------------------------------------------------- the resolved tree

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
  for (const auto& site : component_sites(root, labels)) {
    ConfigNode* node = at(root, site.path);
    if (!node || node->is_sequence()) continue;
    if (node->is_scalar()) {
      ConfigNode mapping = ConfigNode::make_mapping(node->location);
      mapping.set("name", *node);
      *node = std::move(mapping);
    }
    if (!node->is_mapping()) continue;
    const std::string name = component_name(*node);
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

Experiment plan_runs(ValidatedConfig config, ExpandedSweep sweep, const PluginRegistry& plugins) {
  Experiment experiment;
  experiment.source = config.source;
  experiment.name = config.name;
  experiment.method_labels = config.labels;
  experiment.seeds = config.seeds;
  experiment.metrics = config.metrics;
  experiment.figures = config.figures;
  experiment.table = config.table;
  experiment.axes = sweep.axes;
  experiment.problems = std::move(sweep.problems);
  ConfigNode& root = config.root;
  decide_columns(experiment, root, plugins);
  decide_error(experiment, root, sweep.error, sweep.points);
  check_method_stops(experiment, root, sweep.points, config.labels);
  std::size_t runs = 0;
  for (GlobalPoint& point : sweep.points) {
    experiment.point_starts.push_back(runs);
    runs += experiment.seeds.size() * point.sweep.methods.size();
    experiment.points.push_back(std::move(point.sweep));
  }
  experiment.point_starts.push_back(runs);

  add_defaults(root, config.labels, plugins);
  if (ConfigNode* run = root.find("run"); run && run->is_mapping())
    run->set("error", ConfigNode::make_scalar(experiment.error, {}));  // as decided
  if (!root.find("name"))
    root.entries.insert(root.entries.begin(), {"name", {}, ConfigNode::make_scalar(experiment.name, {})});
  experiment.resolved = std::move(root);
  return experiment;
}

}  // namespace ncvx::detail
