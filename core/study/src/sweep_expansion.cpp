// Stage 3 of the configuration path (config_stages.hpp): the sweep axes
// found and expanded into global points, each with its methods' own points;
// every component is validated at every point, and every problem created
// once (a file problem reads and checks its file here, before any run).

#include <map>
#include <optional>

#include <fmt/format.h>

#include "config_stages.hpp"
#include "config_values.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/plugin_registry.hpp"
#include "sweep_axes.hpp"

namespace ncvx::detail {

namespace {

/// a * b, or nullopt when it exceeds `limit`.
std::optional<std::size_t> product_within(std::size_t a, std::size_t b, std::size_t limit) {
  if (a != 0 && b > limit / a) return std::nullopt;
  return a * b;
}

/// Refuses, before anything is expanded, a sweep of more than kMaxRuns runs.
void check_size(const ConfigNode& root, const std::vector<const Dimension*>& global,
                const std::vector<std::vector<const Dimension*>>& per_method, std::size_t seeds) {
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

// ---------------------------------------------------------------- one point of the sweep

/// The problems seen so far, each created once.
class ProblemCache {
 public:
  ProblemCache(std::vector<ProblemChoice>& problems, const PluginRegistry& plugins)
      : problems_(problems), plugins_(plugins) {}

  std::size_t index(const ComponentChoice& choice, double validation, const SourceLocation& where) {
    const std::string key = choice.key() + (validation > 0 ? fmt::format(" validation={}", validation) : "");
    if (const auto it = indices_.find(key); it != indices_.end()) return it->second;
    ProblemChoice entry;
    entry.choice = choice;
    entry.validation = validation;
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
    if (validation > 0 && !entry.description.observed)
      fail(where, fmt::format("problem.validation holds out observed entries of a data problem; `{}` generates "
                              "X* and observes no entries (hold out measurements by a smaller m instead).",
                              choice.name));
    problems_.push_back(std::move(entry));
    return indices_[key] = problems_.size() - 1;
  }

 private:
  std::vector<ProblemChoice>& problems_;
  const PluginRegistry& plugins_;
  std::map<std::string, std::size_t> indices_;
};

/// A `stop:` mapping (of run: or of a method, named `where`) as rules.
std::vector<StopRule> stop_rules_of(const ConfigNode& stop, const std::string& where) {
  if (!stop.is_mapping())
    fail(stop.location, where + " maps metric columns to thresholds, e.g. {test_error: 1e-10}: a run "
                        "stops as converged when the column is at most its threshold.");
  std::vector<StopRule> rules;
  const ParameterSpec spec = ParameterSpec::real("stop", 0.0, "stop threshold");
  for (const auto& entry : stop.entries)
    rules.push_back({entry.key, std::get<double>(parse_value(entry.value, spec, where + "." + entry.key))});
  return rules;
}

std::vector<StopRule> read_stop_rules(const ConfigNode* run) {
  const ConfigNode* stop = run ? run->find("stop") : nullptr;
  return stop ? stop_rules_of(*stop, "run.stop") : std::vector<StopRule>{};
}

/// A method's own budget (iterations, max_seconds) and stop rules, where it gives them.
void read_method_budget(const ConfigNode& node, const std::string& section, MethodSpec& method) {
  if (const ConfigNode* iterations = node.find("iterations")) {
    const ParameterSpec spec = ParameterSpec::integer("iterations", 0, "the method's iteration budget").at_least(0);
    method.iterations = std::get<std::int64_t>(parse_value(*iterations, spec, section + " iterations"));
  }
  if (const ConfigNode* seconds = node.find("max_seconds")) {
    const ParameterSpec spec = ParameterSpec::real("max_seconds", 0.0, "the method's time limit").at_least(0.0);
    method.max_seconds = std::get<double>(parse_value(*seconds, spec, section + " max_seconds"));
  }
  if (const ConfigNode* stop = node.find("stop")) method.stop = stop_rules_of(*stop, section + " stop");
}

/// The method's factorization: a plugin (uu, uv, deep, cp, ...), or `auto`
/// (uu for a symmetric problem, uv otherwise), `symmetric` (uu) or
/// `asymmetric` (uv), the names configurations used before the kind existed.
ComponentChoice read_factorization(const ConfigNode* node, const std::string& section, const ProblemChoice& problem,
                                   const PluginRegistry& plugins) {
  const MatrixShape& shape = problem.description.shape;
  std::string alias = node && node->is_scalar() ? node->scalar : node ? "" : "auto";
  if (alias == "auto") alias = shape.symmetric ? "uu" : "uv";
  if (alias == "symmetric") alias = "uu";
  if (alias == "asymmetric") alias = "uv";
  const SourceLocation where = node ? node->location : SourceLocation{};
  const ComponentChoice choice =
      alias.empty() ? validate_component(*node, PluginKind::factorization, section + " factorization", plugins)
                    : validate_component(ConfigNode::make_scalar(alias, where), PluginKind::factorization,
                                         section + " factorization", plugins);
  if (choice.name == "uu" && !shape.symmetric)
    fail(where,
         fmt::format("{}: problem `{}` is {} (not symmetric), so it is fitted by X = U V^T; set "
                     "factorization: uv (or leave it out).",
                     section, problem.choice.name, shape.describe()));
  return choice;
}

/// "X = U U^T", "X = U V^T", or the factorization's name and parameters.
std::string describe_factorization(const ComponentChoice& factorization) {
  if (factorization.name == "uu") return "X = U U^T";
  if (factorization.name == "uv") return "X = U V^T";
  return "factorization `" + factorization.key() + "`";
}

GlobalPoint read_global_point(const ConfigNode& tree, ProblemCache& problems, const PluginRegistry& plugins) {
  GlobalPoint point;
  SweepPoint& sweep = point.sweep;
  const ConfigNode& problem = *tree.find("problem");
  double validation = 0.0;
  if (const ConfigNode* node = problem.is_mapping() ? problem.find("validation") : nullptr) {
    const ParameterSpec spec =
        ParameterSpec::real("validation", 0.0, "fraction of the observed entries held out for validation")
            .at_least(0.0)
            .below(1.0);
    validation = std::get<double>(parse_value(*node, spec, "problem.validation"));
  }
  sweep.problem = problems.index(validate_component(problem, PluginKind::problem, "problem", plugins), validation,
                                 problem.location);
  if (const ConfigNode* corruptions = tree.find("corruptions"))
    for (const auto& item : corruptions->items)
      sweep.corruptions.push_back(validate_component(item, PluginKind::corruption, "corruptions", plugins));
  sweep.measurement = validate_component(*tree.find("measurement"), PluginKind::measurement, "measurement", plugins);
  point.loss = validate_component(*tree.find("loss"), PluginKind::loss, "loss", plugins);
  point.run_values = validate_parameters(tree.find("run"), RunSettings::parameters(), "run", {"seeds", "stop", "table"});
  RunSettings& settings = sweep.settings;
  settings.iterations = point.run_values.integer("iterations");
  settings.log_every = point.run_values.integer("log_every");
  settings.divergence_factor = point.run_values.real("divergence_factor");
  settings.convergence_within = point.run_values.real("convergence_within");
  settings.plot = point.run_values.boolean("plot");
  settings.max_seconds = point.run_values.real("max_seconds");
  settings.success_below = point.run_values.real("success_below");
  settings.patience = point.run_values.integer("patience");
  settings.min_delta = point.run_values.real("min_delta");
  point.stop_rules = read_stop_rules(tree.find("run"));

  sweep.instance_key = "problem=" + std::to_string(sweep.problem);
  for (const auto& corruption : sweep.corruptions) sweep.instance_key += " corruption=" + corruption.key();
  sweep.instance_key += " measurement=" + sweep.measurement.key();
  return point;
}

MethodSpec read_method(const ConfigNode& node, const std::string& label, const ComponentChoice& default_loss,
                       const ProblemChoice& problem, const ComponentChoice& measurement,
                       const PluginRegistry& plugins) {
  const std::string section = "method '" + label + "'";
  MethodSpec method;
  method.label = label;
  method.initializer = validate_component(*node.find("init"), PluginKind::initializer, section + " init", plugins);
  method.optimizer = validate_component(*node.find("optimizer"), PluginKind::optimizer, section + " optimizer", plugins);
  method.loss = node.find("loss") ? validate_component(*node.find("loss"), PluginKind::loss, section + " loss", plugins)
                                  : default_loss;
  const ParameterSpec width_spec =
      ParameterSpec::integer("width", 1, "number of columns k of the factors (U: n1 x k)").at_least(1);
  method.width = std::get<std::int64_t>(parse_value(*node.find("width"), width_spec, section + " width"));
  const ConfigNode* factorization = node.find("factorization");
  const MatrixShape& shape = problem.description.shape;
  method.factorization = read_factorization(factorization, section, problem, plugins);
  const SourceLocation& where = factorization ? factorization->location : node.location;
  const LoadedPlugin& factorization_plugin = plugins.find(PluginKind::factorization, method.factorization.name);
  const auto product = factorization_plugin.create_factorization(method.factorization.values);
  const std::string unfit = factorization_plugin.guard(
      "checking the problem's shape", [&] { return product->refuses(shape, method.width); });
  if (!unfit.empty())
    fail(where, fmt::format("{}: factorization `{}` cannot fit problem `{}` ({}) at width {}: {}", section,
                            method.factorization.name, problem.choice.name, shape.describe(), method.width, unfit));
  read_method_budget(node, section, method);
  read_method_device(node, section, measurement, method);
  const FactorShape factors =
      factorization_plugin.guard("declaring its blocks", [&] { return product->shape(shape, method.width); });
  const std::string what = describe_factorization(method.factorization);
  const LoadedPlugin& optimizer = plugins.find(PluginKind::optimizer, method.optimizer.name);
  const std::string why = optimizer.guard("checking the factorization", [&] {
    return optimizer.create_optimizer(method.optimizer.values)->refuses(factors);
  });
  if (!why.empty())
    fail(factorization ? factorization->location : node.find("optimizer")->location,
         fmt::format("{}: optimizer `{}` cannot fit {}: {}", section, method.optimizer.name, what, why));
  const LoadedPlugin& initializer = plugins.find(PluginKind::initializer, method.initializer.name);
  const std::string refused = initializer.guard("checking the factorization", [&] {
    return initializer.create_initializer(method.initializer.values)->refuses(factors);
  });
  if (!refused.empty())
    fail(factorization ? factorization->location : node.find("init")->location,
         fmt::format("{}: initializer `{}` cannot start {}: {}", section, method.initializer.name, what, refused));
  return method;
}

/// The axes' dimensions, split into the global ones and each method's.
struct Dimensions {
  std::vector<Axis> axes;
  std::vector<Dimension> all;
  std::vector<const Dimension*> global;
  std::vector<std::vector<const Dimension*>> per_method;
};

Dimensions find_dimensions(const ValidatedConfig& config, const PluginRegistry& plugins) {
  Dimensions dimensions;
  dimensions.axes = find_axes(config.root, config.labels, plugins);
  dimensions.all = make_dimensions(config.root, dimensions.axes);
  dimensions.per_method.resize(config.labels.size());
  for (const auto& dimension : dimensions.all) {
    if (dimension.method < 0) dimensions.global.push_back(&dimension);
    else dimensions.per_method[static_cast<std::size_t>(dimension.method)].push_back(&dimension);
  }
  return dimensions;
}

/// The methods of one global point (`tree`, with the global axes' values in
/// place), each at each of its own points.
void add_methods(GlobalPoint& point, const ConfigNode& tree, const std::vector<SweptValueRecord>& global_swept,
                 const ValidatedConfig& config, const Dimensions& dimensions, const ProblemChoice& problem,
                 const PluginRegistry& plugins) {
  for (std::size_t m = 0; m < config.labels.size(); ++m)
    for (const auto& method_choice : combinations(dimensions.per_method[m])) {
      ConfigNode method_tree = tree;
      std::vector<SweptValueRecord> swept = global_swept;
      substitute(method_tree, dimensions.axes, dimensions.per_method[m], method_choice, swept);
      const ConfigNode& node = *at(method_tree, {"methods", std::to_string(m)});
      SweepPoint::Method method;
      method.spec = read_method(node, config.labels[m], point.loss, problem, point.sweep.measurement, plugins);
      for (const auto& record : swept) method.swept.push_back({record.axis, record.value});
      point.sweep.methods.push_back(std::move(method));
    }
}

}  // namespace

ExpandedSweep expand_sweep(const ValidatedConfig& config, const PluginRegistry& plugins) {
  const Dimensions dimensions = find_dimensions(config, plugins);
  ExpandedSweep sweep;
  for (const auto& axis : dimensions.axes)  // two methods sweeping init.scale share one column
    if (std::find(sweep.axes.begin(), sweep.axes.end(), axis.column) == sweep.axes.end())
      sweep.axes.push_back(axis.column);
  check_size(config.root, dimensions.global, dimensions.per_method, config.seeds.size());

  // Every point: its problem, measurement, settings and methods.
  ProblemCache problems(sweep.problems, plugins);
  for (const auto& global_choice : combinations(dimensions.global)) {
    ConfigNode tree = config.root;
    std::vector<SweptValueRecord> global_swept;
    substitute(tree, dimensions.axes, dimensions.global, global_choice, global_swept);
    GlobalPoint point = read_global_point(tree, problems, plugins);
    const std::string point_error = point.run_values.text("error");
    if (sweep.points.empty()) sweep.error = point_error;
    else if (point_error != sweep.error)
      fail(config.root.find("run")->location, "run.error cannot be swept: the table compares one error.");
    add_methods(point, tree, global_swept, config, dimensions, sweep.problems[point.sweep.problem], plugins);
    sweep.points.push_back(std::move(point));
  }
  return sweep;
}

}  // namespace ncvx::detail
