#include "ncvx/conformance.hpp"

#include <cmath>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "ncvx/problem.hpp"

namespace ncvx {

const char* to_string(CheckOutcome outcome) {
  switch (outcome) {
    case CheckOutcome::passed: return "pass";
    case CheckOutcome::failed: return "FAIL";
    case CheckOutcome::skipped: return "skip";
  }
  return "?";
}

namespace {

const double kNan = std::nan("");

/// A reference GOE operator, written densely and independently of any
/// plugin: A(X)_i = <A_i, X>/sqrt(m), A_i = (G_i + G_i^T)/2.
class ReferenceOperator final : public MeasurementOperator {
 public:
  ReferenceOperator(Index n, Index m, RandomStream& random) : n_(n) {
    for (Index i = 0; i < m; ++i) {
      Matrix G(n, n);
      random.fill_normal(G);
      matrices_.push_back((G + G.transpose()) / (2.0 * std::sqrt(static_cast<double>(m))));
    }
  }
  Index dimension() const override { return n_; }
  Index measurements() const override { return static_cast<Index>(matrices_.size()); }
  void forward(const Matrix& X, Vector& out) const override {
    out.resize(measurements());
    for (Index i = 0; i < measurements(); ++i)
      out(i) = (matrices_[static_cast<std::size_t>(i)].array() * X.array()).sum();
  }
  void adjoint_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    out = adjoint(v) * M;
  }
  Matrix adjoint(const Vector& v) const override {
    Matrix sum = Matrix::Zero(n_, n_);
    for (Index i = 0; i < measurements(); ++i) sum += v(i) * matrices_[static_cast<std::size_t>(i)];
    return sum;
  }

 private:
  Index n_;
  std::vector<Matrix> matrices_;
};

class ReferenceSquaredLoss final : public Loss {
 public:
  double evaluate(ConstVectorView residual, VectorView derivative) const override {
    derivative = 0.5 * residual;
    return 0.25 * residual.squaredNorm();
  }
};

/// The reference problem: n = 8, r = 1, m = 160 dense Gaussian measurements.
struct ReferenceProblem {
  std::shared_ptr<const ProblemInstance> instance;
  ReferenceSquaredLoss loss;

  explicit ReferenceProblem(std::uint64_t seed) {
    ProblemSpec spec;
    spec.dimension = 8;
    spec.rank = 1;
    RandomStream random(seed, "measurement");
    instance = std::make_shared<const ProblemInstance>(
        spec, std::make_shared<const ReferenceOperator>(8, 160, random), seed);
  }
};

Matrix random_symmetric(Index n, RandomStream& random) {
  Matrix G(n, n);
  random.fill_normal(G);
  return 0.5 * (G + G.transpose());
}

class Checks {
 public:

  /// Runs `body`, which returns the measured value; passes when
  /// measured <= tolerance. Exceptions fail the check with their message.
  void threshold(const std::string& name, double tolerance, const std::function<double()>& body,
                 const std::string& detail = "") {
    ConformanceCheck check{name, CheckOutcome::passed, kNan, tolerance, detail};
    try {
      check.measured = body();
      if (!(check.measured <= tolerance)) {
        check.outcome = CheckOutcome::failed;
        if (check.detail.empty()) check.detail = "above the tolerance";
      }
    } catch (const std::exception& error) {
      check.outcome = CheckOutcome::failed;
      check.detail = std::string("threw: ") + error.what();
    }
    checks_.push_back(std::move(check));
  }

  /// A yes/no check; `body` returns an empty string on success, else why not.
  void condition(const std::string& name, const std::function<std::string()>& body) {
    ConformanceCheck check{name, CheckOutcome::passed, kNan, kNan, ""};
    try {
      check.detail = body();
      if (!check.detail.empty()) check.outcome = CheckOutcome::failed;
    } catch (const std::exception& error) {
      check.outcome = CheckOutcome::failed;
      check.detail = std::string("threw: ") + error.what();
    }
    checks_.push_back(std::move(check));
  }

  /// The "created with its parameters" check: the object, or nullptr if
  /// creating it threw (the check then fails, quoting the exception).
  template <class Make>
  auto created(Make&& make) -> decltype(make()) {
    decltype(make()) object;
    condition("created with its parameters", [&] {
      object = make();
      return std::string();
    });
    return object;
  }

  void skip(const std::string& name, const std::string& why) {
    checks_.push_back({name, CheckOutcome::skipped, kNan, kNan, why});
  }

  std::vector<ConformanceCheck> take() { return std::move(checks_); }

 private:
  std::vector<ConformanceCheck> checks_;
};

double relative(double difference, double scale) { return difference / std::max(scale, 1e-300); }

void check_measurement(const LoadedPlugin& plugin, const ParameterValues& values, std::uint64_t seed,
                       Checks& checks) {
  const auto model = checks.created([&] { return plugin.create_measurement(values); });
  if (!model) return;
  const Index n = 8, k = 3;
  auto sample = [&](std::uint64_t s) {
    RandomStream random(s, "measurement");
    return plugin.hold(model->sample(n, random));
  };
  std::shared_ptr<const MeasurementOperator> A;
  checks.condition("dimensions (n, m, output sizes)", [&]() -> std::string {
    A = sample(seed);
    if (A->dimension() != n) return fmt::format("dimension() = {}, expected {}", A->dimension(), n);
    if (A->measurements() < 1) return "measurements() < 1";
    Vector out;
    A->forward(Matrix::Identity(n, n), out);
    if (out.size() != A->measurements()) return "forward() output size differs from measurements()";
    Matrix applied;
    A->adjoint_apply(Vector::Ones(A->measurements()), Matrix::Ones(n, k), applied);
    if (applied.rows() != n || applied.cols() != k) return "adjoint_apply() output is not n x k";
    const Matrix dense = A->adjoint(Vector::Ones(A->measurements()));
    if (dense.rows() != n || dense.cols() != n) return "adjoint() output is not n x n";
    return "";
  });
  if (!A) return;
  const Index m = A->measurements();
  RandomStream random(seed, "conformance");
  checks.threshold("adjoint identity <A(X), v> = <X, A*(v)>", 1e-10, [&] {
    double worst = 0;
    for (int trial = 0; trial < 5; ++trial) {
      const Matrix X = random_symmetric(n, random);
      Vector v(m), AX;
      random.fill_normal(v);
      A->forward(X, AX);
      const Matrix Av = A->adjoint(v);
      const double lhs = AX.dot(v), rhs = (X.array() * Av.array()).sum();
      worst = std::max(worst, relative(std::abs(lhs - rhs), AX.norm() * v.norm() + X.norm() * Av.norm()));
    }
    return worst;
  }, "relative difference, worst of 5 random (X, v)");
  checks.threshold("factored forward A(UU^T) equals forward(UU^T)", 1e-10, [&] {
    Matrix U(n, k);
    random.fill_normal(U);
    Vector factored, dense;
    A->forward_factored(U, factored);
    A->forward(U * U.transpose(), dense);
    return relative((factored - dense).norm(), dense.norm());
  }, "relative difference");
  checks.threshold("adjoint_apply(v, M) equals adjoint(v) M", 1e-10, [&] {
    Vector v(m);
    random.fill_normal(v);
    Matrix M(n, k), applied;
    random.fill_normal(M);
    A->adjoint_apply(v, M, applied);
    const Matrix expected = A->adjoint(v) * M;
    return relative((applied - expected).norm(), expected.norm());
  }, "relative difference");
  checks.threshold("adjoint(v) is symmetric", 1e-12, [&] {
    Vector v(m);
    random.fill_normal(v);
    const Matrix W = A->adjoint(v);
    return relative((W - W.transpose()).norm(), W.norm());
  });
  checks.threshold("determinism: same stream, same operator", 0.0, [&] {
    const auto again = sample(seed);
    const Matrix X = random_symmetric(n, random);
    Vector first, second;
    A->forward(X, first);
    again->forward(X, second);
    if (first.size() != second.size()) return 1.0;
    return (first - second).norm();
  }, "|A(X) - A'(X)| for two draws from one seed");
  if (model->isometric_in_expectation()) {
    checks.threshold("E|A(Z)|^2 = |Z|_F^2 (claimed by the model)", 0.1, [&] {
      const Matrix Z = random_symmetric(n, random);
      double mean = 0;
      const int draws = 400;
      for (int d = 0; d < draws; ++d) {
        Vector AZ;
        sample(seed + 1000 + static_cast<std::uint64_t>(d))->forward(Z, AZ);
        mean += AZ.squaredNorm() / draws;
      }
      return std::abs(mean / Z.squaredNorm() - 1);
    }, "relative deviation of the mean over 400 draws");
  } else {
    checks.skip("E|A(Z)|^2 = |Z|_F^2", "the model does not claim isometry in expectation");
  }
}

void check_loss(const LoadedPlugin& plugin, const ParameterValues& values, std::uint64_t seed,
                Checks& checks) {
  const auto loss = checks.created([&] { return plugin.create_loss(values); });
  if (!loss) return;
  RandomStream random(seed, "conformance");
  Vector residual(30);
  random.fill_normal(residual, 4.0);
  checks.threshold("derivative against central finite differences", 1e-6, [&] {
    Vector derivative(residual.size()), scratch(residual.size());
    loss->evaluate(residual, derivative);
    double worst = 0;
    for (Index i = 0; i < residual.size(); ++i) {
      const double h = 1e-6 * std::max(1.0, std::abs(residual(i)));
      Vector plus = residual, minus = residual;
      plus(i) += h;
      minus(i) -= h;
      const double numeric = (loss->evaluate(plus, scratch) - loss->evaluate(minus, scratch)) / (2 * h);
      worst = std::max(worst, std::abs(numeric - derivative(i)) / std::max(1.0, std::abs(derivative(i))));
    }
    return worst;
  }, "worst relative error over 30 residuals");
  checks.threshold("value and derivative at zero residual", 0.0, [&] {
    const Vector zero = Vector::Zero(5);
    Vector derivative(5);
    const double value = loss->evaluate(zero, derivative);
    return std::abs(value) + derivative.norm();
  }, "|L(0)| + |L'(0)|");
  checks.threshold("purity: same residual, same value", 0.0, [&] {
    Vector first(residual.size()), second(residual.size());
    const double a = loss->evaluate(residual, first), b = loss->evaluate(residual, second);
    return std::abs(a - b) + (first - second).norm();
  });
}

void check_initializer(const LoadedPlugin& plugin, const ParameterValues& values, std::uint64_t seed,
                       Checks& checks) {
  const auto initializer = checks.created([&] { return plugin.create_initializer(values); });
  if (!initializer) return;
  const ReferenceProblem problem(seed);
  const ProblemInstance& instance = *problem.instance;
  const InitializationData data{instance.measurement(), instance.observations()};
  const Index n = instance.dimension();
  auto draw = [&](const std::shared_ptr<Initializer>& init, Index width) {
    RandomStream random(seed, "init");
    return init->initialize(data, width, random);
  };
  checks.condition("shape n x k and finite, k = 1, 3, n", [&]() -> std::string {
    for (const Index width : {Index{1}, Index{3}, n}) {
      const Matrix U = draw(initializer, width);
      if (U.rows() != n || U.cols() != width)
        return fmt::format("width {}: got {} x {}, expected {} x {}", width, U.rows(), U.cols(), n, width);
      if (!U.allFinite()) return fmt::format("width {}: non-finite entries", width);
    }
    return "";
  });
  checks.threshold("determinism under a seed", 0.0, [&] {
    return (draw(initializer, 3) - draw(initializer, 3)).norm();
  });
  bool has_scale = false;
  for (const auto& spec : plugin.info().parameters)
    has_scale |= spec.name == "scale" && spec.type == ParameterType::real;
  if (has_scale) {
    checks.threshold("scale as declared: doubling `scale` doubles U_0", 1e-12, [&] {
      ParameterValues doubled = values;
      doubled.set("scale", 2 * values.real("scale"));
      const Matrix once = draw(initializer, 3);
      const Matrix twice = draw(plugin.create_initializer(doubled), 3);
      return relative((twice - 2 * once).norm(), twice.norm());
    }, "relative difference");
  } else {
    checks.skip("scale as declared", "no real parameter named `scale`");
  }
}

void check_optimizer(const LoadedPlugin& plugin, const ParameterValues& values, std::uint64_t seed,
                     Checks& checks) {
  const auto probe = checks.created([&] { return plugin.create_optimizer(values); });
  if (!probe) return;
  const ReferenceProblem problem(seed);
  const ProblemInstance& instance = *problem.instance;
  const Objective objective(instance.measurement(), problem.loss, instance.observations());
  const Index iterations = 500;
  // Small random start, alpha = 0.1, k = r = 1.
  RandomStream random(seed, "init");
  Matrix start(instance.dimension(), 1);
  random.fill_normal(start, 0.01);
  const double initial = objective.value(start);
  auto trajectory = [&] {
    const auto optimizer = plugin.create_optimizer(values);
    Matrix U = start;
    for (Index t = 0; t < iterations; ++t) optimizer->step(objective, U, t);
    return U;
  };
  Matrix final;
  checks.condition("no NaN in 500 iterations", [&]() -> std::string {
    final = trajectory();
    return final.allFinite() ? "" : "the iterate became non-finite";
  });
  if (final.size() == 0 || !final.allFinite()) return;
  checks.threshold("objective decreases: f(U_500) / f(U_0)", 1e-3, [&] {
    return objective.value(final) / initial;
  }, "reference sensing problem n = 8, r = 1, m = 160, squared loss");
  checks.threshold("reaches the answer: test error after 500 iterations", 1e-3, [&] {
    return instance.test_error(final);
  });
  checks.threshold("determinism: two runs, same iterate", 0.0, [&] {
    return (trajectory() - final).norm();
  });
}

void check_metric(const LoadedPlugin& plugin, const ParameterValues& values, std::uint64_t seed,
                  Checks& checks) {
  const auto metric = checks.created([&] { return plugin.create_metric(values); });
  if (!metric) return;
  std::vector<std::string> columns;
  checks.condition("columns named and unique", [&]() -> std::string {
    columns = metric->columns();
    if (columns.empty()) return "no columns";
    const std::set<std::string> unique(columns.begin(), columns.end());
    if (unique.size() != columns.size()) return "duplicate column names";
    for (const auto& c : columns)
      if (c.empty() || c.find_first_of(", \"\n") != std::string::npos)
        return "column '" + c + "' is empty or has a comma, space or quote";
    return "";
  });
  if (columns.empty()) return;
  const ReferenceProblem problem(seed);
  const ProblemInstance& instance = *problem.instance;
  const Objective objective(instance.measurement(), problem.loss, instance.observations());
  RandomStream random(seed, "conformance");
  Matrix U0(instance.dimension(), 3), U(instance.dimension(), 3);
  random.fill_normal(U0, 1e-4);
  random.fill_normal(U, 0.3);
  auto evaluate = [&] {
    const auto fresh = plugin.create_metric(values);
    std::vector<double> row(columns.size());
    fresh->evaluate({instance, objective, U0, U0, 0, 0.1}, row.data());
    fresh->evaluate({instance, objective, U, U0, 5, 0.1}, row.data());
    return row;
  };
  std::vector<double> first;
  checks.condition("finite values at iterations 0 and 5", [&]() -> std::string {
    first = evaluate();
    for (std::size_t c = 0; c < first.size(); ++c)
      if (!std::isfinite(first[c])) return "column " + columns[c] + " is not finite";
    return "";
  });
  checks.condition("determinism", [&]() -> std::string {
    return evaluate() == first ? "" : "two fresh objects gave different values";
  });
}

}  // namespace

std::vector<ConformanceCheck> check_plugin(const LoadedPlugin& plugin, const ParameterValues& overrides,
                                           std::uint64_t seed) {
  ParameterValues values = ParameterValues::defaults(plugin.info().parameters);
  for (const auto& [name, value] : overrides.all()) values.set(name, value);
  Checks checks;
  switch (plugin.info().kind) {
    case PluginKind::measurement: check_measurement(plugin, values, seed, checks); break;
    case PluginKind::loss: check_loss(plugin, values, seed, checks); break;
    case PluginKind::initializer: check_initializer(plugin, values, seed, checks); break;
    case PluginKind::optimizer: check_optimizer(plugin, values, seed, checks); break;
    case PluginKind::metric: check_metric(plugin, values, seed, checks); break;
  }
  return checks.take();
}

bool all_passed(const std::vector<ConformanceCheck>& checks) {
  for (const auto& check : checks)
    if (check.outcome == CheckOutcome::failed) return false;
  return !checks.empty();
}

std::string conformance_table(const std::vector<ConformanceCheck>& checks) {
  auto number = [](double value) { return std::isnan(value) ? std::string("-") : fmt::format("{:.3g}", value); };
  std::vector<std::vector<std::string>> rows = {{"check", "result", "measured", "tolerance", "detail"}};
  for (const auto& check : checks)
    rows.push_back({check.name, to_string(check.outcome), number(check.measured), number(check.tolerance),
                    check.detail});
  std::vector<std::size_t> widths(5, 0);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < 4; ++c) widths[c] = std::max(widths[c], row[c].size());
  std::string table;
  for (const auto& row : rows)
    table += fmt::format("{:<{}}  {:<{}}  {:>{}}  {:>{}}  {}\n", row[0], widths[0], row[1], widths[1], row[2],
                         widths[2], row[3], widths[3], row[4]);
  return table;
}

}  // namespace ncvx
