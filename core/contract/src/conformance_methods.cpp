// The conformance checks of losses, initializers, optimizers and metrics
// (conformance.hpp lists what each verifies).

#include <cmath>
#include <set>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "conformance_kit.hpp"

namespace ncvx::detail {

// ---------------------------------------------------------------- loss

/// Observations in the loss's domain: real values, else signs +-1, else counts (the first it accepts).
Vector observations_for(const Loss& loss, RandomStream& random, Index size, std::string& kind) {
  Vector real(size);
  random.fill_normal(real, 4.0);
  Vector signs = real.unaryExpr([](double v) { return v >= 0 ? 1.0 : -1.0; });
  Vector counts = real.unaryExpr([](double v) { return std::floor(std::abs(v)); });
  for (auto& [name, y] : {std::pair<const char*, Vector&>{"real", real}, {"signs", signs}, {"counts", counts}})
    if (loss.refuses(y).empty()) {
      kind = name;
      return y;
    }
  kind.clear();
  return {};
}

void check_loss(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                Checks& checks) {
  const auto loss = checks.created([&] { return plugin.create_loss(values); });
  if (!loss) return;
  RandomStream random(options.seed, "conformance");
  std::string kind;
  const Vector y = observations_for(*loss, random, 30, kind);
  checks.condition("accepts real observations, signs or counts", [&]() -> std::string {
    return kind.empty() ? "refuses real observations, signs +-1 and counts alike" : "";
  });
  if (kind.empty()) return;
  // Predictions z around the observations; the loss sees r = z - y and y.
  Vector prediction(y.size());
  random.fill_normal(prediction, 2.0);
  const Vector residual = prediction - y;
  const std::string with = " (" + kind + " observations)";
  checks.threshold("derivative against central finite differences" + with, 1e-6, [&] {
    Vector derivative(residual.size()), scratch(residual.size());
    const double value = loss->evaluate_observed(residual, y, derivative);
    if (!std::isfinite(value) || !derivative.allFinite()) return kNan;
    double worst = 0;
    for (Index i = 0; i < residual.size(); ++i) {
      const double h = 1e-6 * std::max(1.0, std::abs(residual(i)));
      Vector plus = residual, minus = residual;
      plus(i) += h;
      minus(i) -= h;
      const double numeric =
          (loss->evaluate_observed(plus, y, scratch) - loss->evaluate_observed(minus, y, scratch)) / (2 * h);
      worst = worse(worst, std::abs(numeric - derivative(i)) / std::max(1.0, std::abs(derivative(i))));
    }
    return worst;
  }, "worst relative error over 30 predictions (NaN: a value or derivative is not finite)");
  // A loss of the residual alone (it has evaluate(residual, derivative)) is 0 with slope 0 at a perfect fit;
  // a likelihood need not be.
  bool residual_form = true;
  try {
    Vector scratch(1);
    loss->evaluate(Vector::Zero(1), scratch);
  } catch (const std::logic_error&) {
    residual_form = false;
  }
  if (residual_form) {
    checks.threshold("value and derivative at zero residual", 0.0, [&] {
      const Vector zero = Vector::Zero(5);
      Vector derivative(5);
      const double value = loss->evaluate_observed(zero, y.head(5), derivative);
      return std::abs(value) + derivative.norm();
    }, "|L(0)| + |L'(0)|");
  } else {
    checks.skip("value and derivative at zero residual", "a likelihood of the observations (l(0; y) need not be 0)");
  }
  checks.threshold("purity: same residual, same value", 0.0, [&] {
    Vector first(residual.size()), second(residual.size());
    const double a = loss->evaluate_observed(residual, y, first), b = loss->evaluate_observed(residual, y, second);
    return std::abs(a - b) + (first - second).norm();
  });
}

// ---------------------------------------------------------------- initializer

void check_initializer(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                       Checks& checks) {
  const auto initializer = checks.created([&] { return plugin.create_initializer(values); });
  if (!initializer) return;
  const ReferenceProblem symmetric(options.seed, true), rectangular(options.seed, false);
  auto draw = [&](const std::shared_ptr<Initializer>& init, const ReferenceProblem& problem, Index width,
                  bool symmetric_factors) {
    const ProblemInstance& instance = *problem.instance;
    RandomStream random(options.seed, "init");
    const FactorShape shape{instance.shape().rows, instance.shape().cols, width, symmetric_factors};
    return init->initialize(InitializationData{instance.measurement(), instance.observations()}, shape, random);
  };
  const Index n = 8;
  struct Case {
    const ReferenceProblem* problem;
    bool symmetric_factors;
    const char* name;
  };
  const std::vector<Case> cases = {{&symmetric, true, "X = UU^T"},
                                   {&symmetric, false, "X = UV^T of a symmetric problem"},
                                   {&rectangular, false, "X = UV^T, 8 x 6"}};
  for (const Case& c : cases) {
    checks.condition(std::string("shape and finite, k = 1, 3, n: ") + c.name, [&]() -> std::string {
      for (const Index width : {Index{1}, Index{3}, n}) {
        const FactorSet F = draw(initializer, *c.problem, width, c.symmetric_factors);
        const FactorShape expected{c.problem->instance->shape().rows, c.problem->instance->shape().cols, width,
                                   c.symmetric_factors};
        if (F.shape() != expected)
          return fmt::format("width {}: got U {} x {} ({} factors), expected U {} x {} ({} factors)", width,
                             F.left().rows(), F.left().cols(), F.size(), expected.rows, expected.width,
                             expected.symmetric ? 1 : 2);
        if (!F.all_finite()) return fmt::format("width {}: non-finite entries", width);
      }
      return "";
    });
  }
  checks.threshold("determinism under a seed", 0.0, [&] {
    return (draw(initializer, rectangular, 3, false) - draw(initializer, rectangular, 3, false)).norm() +
           (draw(initializer, symmetric, 3, true) - draw(initializer, symmetric, 3, true)).norm();
  });
  bool has_scale = false;
  for (const auto& spec : plugin.info().parameters)
    has_scale |= spec.name == "scale" && spec.type == ParameterType::real;
  if (has_scale) {
    checks.threshold("scale as declared: doubling `scale` doubles the factors", 1e-12, [&] {
      ParameterValues doubled = values;
      doubled.set("scale", 2 * values.real("scale"));
      const auto twice_init = plugin.create_initializer(doubled);
      double worst = 0;
      for (bool symmetric_factors : {true, false}) {
        const FactorSet once = draw(initializer, symmetric, 3, symmetric_factors);
        const FactorSet twice = draw(twice_init, symmetric, 3, symmetric_factors);
        worst = worse(worst, relative(twice, 2.0 * FactorSet(once)));
      }
      return worst;
    }, "relative difference");
  } else {
    checks.skip("scale as declared", "no real parameter named `scale`");
  }
}

// ---------------------------------------------------------------- optimizer

void check_optimizer_on(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                        bool symmetric, Checks& checks) {
  const std::string tag = symmetric ? " (X = UU^T)" : " (X = UV^T, 8 x 6)";
  const ReferenceProblem problem(options.seed, symmetric);
  const FactorShape shape{problem.instance->shape().rows, problem.instance->shape().cols, 1, symmetric};
  if (const std::string why = plugin.create_optimizer(values)->refuses(shape); !why.empty()) {
    checks.skip("optimizer" + tag, "the optimizer refuses this factorization: " + why);
    return;
  }
  const ProblemInstance& instance = *problem.instance;
  const Objective objective(instance.measurement(), problem.loss, instance.observations());
  const Index iterations = 500;
  // A start in the basin of the answer, k = r = 1: F* plus a random
  // perturbation of 30 % of its norm. Local methods (Wirtinger flow, ScaledGD,
  // alternating minimization) are defined from such a start; what a method
  // does from a small random one is an experiment, not a conformance check.
  RandomStream random(options.seed, "init");
  FactorSet start = random_factors({instance.shape().rows, instance.shape().cols, 1, symmetric}, random);
  const FactorSet& answer = instance.ground_truth().factors();
  start *= 0.3 * answer.norm() / start.norm();
  start += answer;
  const double initial = objective.value(start);
  auto trajectory = [&] {
    const auto optimizer = plugin.create_optimizer(values);
    FactorSet F = start;
    for (Index t = 0; t < iterations; ++t) optimizer->step(objective, F, t);
    return F;
  };
  FactorSet final;
  bool finished = false;
  checks.condition("no NaN in 500 iterations" + tag, [&]() -> std::string {
    final = trajectory();
    finished = final.all_finite();
    return finished ? "" : "the iterate became non-finite";
  });
  if (!finished) return;
  checks.threshold("objective decreases: f(F_500) / f(F_0)" + tag, 1e-3, [&] {
    return objective.value(final) / initial;
  }, "reference sensing problem, rank 1, m = 160, squared loss");
  checks.threshold("reaches the answer: test error after 500 iterations" + tag, 1e-3,
                   [&] { return instance.test_error(final); });
  checks.threshold("determinism: two runs, same iterate" + tag, 0.0, [&] { return (trajectory() - final).norm(); });
}

void check_optimizer(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                     Checks& checks) {
  const auto probe = checks.created([&] { return plugin.create_optimizer(values); });
  if (!probe) return;
  check_optimizer_on(plugin, values, options, true, checks);
  check_optimizer_on(plugin, values, options, false, checks);
}

// ---------------------------------------------------------------- metric

void check_metric(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                  Checks& checks) {
  const auto metric = checks.created([&] { return plugin.create_metric(values); });
  if (!metric) return;
  std::vector<std::string> columns, summary;
  bool named = false;
  checks.condition("columns named and unique", [&]() -> std::string {
    columns = metric->columns();
    summary = metric->summary_columns();
    if (columns.empty() && summary.empty()) return "no columns (metrics.csv) and no summary columns";
    for (const auto* list : {&columns, &summary}) {
      const std::set<std::string> unique(list->begin(), list->end());
      if (unique.size() != list->size()) return "duplicate column names";
      for (const auto& c : *list)
        if (c.empty() || c.find_first_of(", \"\n") != std::string::npos)
          return "column '" + c + "' is empty or has a comma, space or quote";
    }
    named = true;
    return "";
  });
  if (!named) return;
  const ReferenceProblem problem(options.seed, true);
  const ProblemInstance& instance = *problem.instance;
  const Objective objective(instance.measurement(), problem.loss, instance.observations());
  RandomStream random(options.seed, "conformance");
  const FactorSet F0 = random_factors({8, 8, 3, true}, random, 1e-8);
  const FactorSet F = random_factors({8, 8, 3, true}, random, 0.09);
  auto evaluate = [&] {
    const auto fresh = plugin.create_metric(values);
    std::vector<double> row(columns.size()), totals(summary.size());
    for (Index t = 0; t <= 5; ++t) {
      const MetricContext context{instance, objective, t == 0 ? F0 : F, F0, t, 0.1};
      if (fresh->observes_every_iteration()) fresh->observe(context);
      if (t == 0 || t == 5) fresh->evaluate(context, row.data());
    }
    fresh->summarize({instance, objective, F, F0, 5, 0.1}, totals.data());
    row.insert(row.end(), totals.begin(), totals.end());
    return row;
  };
  std::vector<double> first;
  checks.condition("finite values at iterations 0 and 5 (NaN: no value)", [&]() -> std::string {
    first = evaluate();
    bool any = columns.empty();
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (std::isinf(first[c])) return "column " + columns[c] + " is infinite";
      any = any || std::isfinite(first[c]);
    }
    return any ? "" : "every column is NaN";
  });
  checks.condition("determinism", [&]() -> std::string {
    const std::vector<double> again = evaluate();
    for (std::size_t c = 0; c < again.size(); ++c)
      if (!(again[c] == first[c] || (std::isnan(again[c]) && std::isnan(first[c]))))
        return "two fresh objects gave different values";
    return "";
  });
}

}  // namespace ncvx::detail
