#include "ncvx/study/experiment.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "config_stages.hpp"
#include "config_values.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/plugin_registry.hpp"
#include "ncvx/study/run_loop.hpp"

namespace ncvx {

namespace {

/// Where the loss of method `label` is set: its own `loss`, else the experiment's.
SourceLocation loss_location(const Experiment& experiment, const std::string& label) {
  const auto position = std::find(experiment.method_labels.begin(), experiment.method_labels.end(), label);
  const ConfigNode* methods = experiment.resolved.find("methods");
  const auto index = static_cast<std::size_t>(position - experiment.method_labels.begin());
  if (methods && methods->is_sequence() && index < methods->items.size())
    if (const ConfigNode* loss = methods->items[index].find("loss")) return loss->location;
  if (const ConfigNode* loss = experiment.resolved.find("loss")) return loss->location;
  return {};
}

/// A loss with a restricted domain (one that refuses generic real values: a
/// likelihood of signs or counts) is checked when the configuration is loaded,
/// against the observations of the first seed of every sweep point that uses
/// it: the logistic loss on real-valued data is an error at its key, not a
/// failed run per seed. Losses of any real observation cost nothing here.
void check_observation_domains(const Experiment& experiment, const PluginRegistry& plugins) {
  Vector generic(2);
  generic << 0.37, -1.3;
  for (std::size_t point = 0; point + 1 < experiment.point_starts.size(); ++point) {
    const std::size_t first = experiment.point_starts[point], end = experiment.point_starts[point + 1];
    if (first >= end) continue;
    const std::uint64_t seed = experiment.run(first).seed;
    std::shared_ptr<const ProblemInstance> instance;
    std::vector<std::string> checked;
    for (std::size_t id = first; id < end; ++id) {
      const RunSpec run = experiment.run(id);
      if (run.seed != seed) break;  // runs go point, seed, method: the first seed's are first
      const std::string key = run.method.loss.key();
      if (std::find(checked.begin(), checked.end(), key) != checked.end()) continue;
      checked.push_back(key);
      const LoadedPlugin& plugin = plugins.find(PluginKind::loss, run.method.loss.name);
      const auto loss = plugin.create_loss(run.method.loss.values);
      if (plugin.guard("checking its domain", [&] { return loss->refuses(generic); }).empty()) continue;
      if (!instance) instance = build_instance(run, experiment, plugins);
      const std::string why =
          plugin.guard("checking the observations", [&] { return loss->refuses(instance->observations()); });
      if (!why.empty())
        throw ConfigError(fmt::format("{}: method '{}': loss `{}` cannot fit the observations of problem `{}` "
                                      "(seed {}): {}",
                                      loss_location(experiment, run.method.label).describe(),
                                      run.method.label, run.method.loss.name,
                                      experiment.problem_of(run).choice.name, seed, why));
    }
  }
}

}  // namespace

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
  // The method's own budget and stop rules.
  if (method.spec.iterations) run.settings.iterations = *method.spec.iterations;
  if (method.spec.max_seconds) run.settings.max_seconds = *method.spec.max_seconds;
  if (method.spec.stop) run.settings.stop = *method.spec.stop;
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
      ParameterSpec::integer("patience", 0,
                             "early stopping: stop once validation_rmse has not improved (by more than "
                             "min_delta) for this many logged iterations; needs problem.validation (0: never)")
          .at_least(0),
      ParameterSpec::real("min_delta", 0.0, "early stopping: the improvement of validation_rmse that counts")
          .at_least(0.0),
      ParameterSpec::real("max_seconds", 0.0,
                          "a run that takes longer stops as failed (timeout); 0: no limit. With --isolate a "
                          "plugin that hangs is killed too")
          .at_least(0.0),
  };
}

Experiment make_experiment(ConfigNode root, const std::string& source, const PluginRegistry& plugins) {
  detail::ValidatedConfig config = detail::validate_configuration(std::move(root), source, plugins);
  detail::ExpandedSweep sweep = detail::expand_sweep(config, plugins);
  Experiment experiment = detail::plan_runs(std::move(config), std::move(sweep), plugins);
  check_observation_domains(experiment, plugins);
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
