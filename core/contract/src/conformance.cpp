#include "ncvx/conformance.hpp"

#include <cmath>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "ncvx/problem_instance.hpp"

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

/// The larger of two measurements; NaN wins (a NaN must fail, not vanish in a max).
double worse(double a, double b) { return std::isnan(a) || std::isnan(b) ? kNan : std::max(a, b); }

/// A reference Gaussian operator, written densely and independently of any
/// plugin: symmetric A(X)_i = <A_i, X>/sqrt(m), A_i = (G_i + G_i^T)/2, or
/// rectangular A(X)_i = <G_i, X>/sqrt(m).
class ReferenceOperator final : public MeasurementOperator {
 public:
  ReferenceOperator(const MatrixShape& shape, Index m, RandomStream& random) : shape_(shape) {
    for (Index i = 0; i < m; ++i) {
      Matrix G(shape.rows, shape.cols);
      random.fill_normal(G);
      const double scale = 1.0 / std::sqrt(static_cast<double>(m));
      matrices_.push_back(shape.symmetric ? Matrix((G + G.transpose()) * (0.5 * scale)) : Matrix(G * scale));
    }
  }
  MatrixShape shape() const override { return shape_; }
  Index measurements() const override { return static_cast<Index>(matrices_.size()); }
  void forward(const Matrix& X, Vector& out) const override {
    out.resize(measurements());
    for (Index i = 0; i < measurements(); ++i)
      out(i) = (matrices_[static_cast<std::size_t>(i)].array() * X.array()).sum();
  }
  void adjoint_apply(const Vector& v, const Matrix& M, Matrix& out) const override { out = adjoint(v) * M; }
  Matrix adjoint(const Vector& v) const override {
    Matrix sum = Matrix::Zero(shape_.rows, shape_.cols);
    for (Index i = 0; i < measurements(); ++i) sum += v(i) * matrices_[static_cast<std::size_t>(i)];
    return sum;
  }

 private:
  MatrixShape shape_;
  std::vector<Matrix> matrices_;
};

class ReferenceSquaredLoss final : public Loss {
 public:
  double evaluate(ConstVectorView residual, VectorView derivative) const override {
    derivative = 0.5 * residual;
    return 0.25 * residual.squaredNorm();
  }
};

/// A rank-one ground truth with unit singular value on `shape`, from (seed, "ground_truth").
GroundTruth reference_truth(const MatrixShape& shape, std::uint64_t seed) {
  RandomStream random(seed, "ground_truth");
  auto unit = [&](Index rows) {
    Matrix gaussian(rows, 1);
    random.fill_normal(gaussian);
    Eigen::HouseholderQR<Matrix> qr(gaussian);
    return Matrix(qr.householderQ() * Matrix::Identity(rows, 1));
  };
  const Vector sigma = Vector::Ones(1);
  if (shape.symmetric) return GroundTruth::positive_semidefinite(unit(shape.rows), sigma);
  Matrix P = unit(shape.rows);
  return GroundTruth(P, sigma, unit(shape.cols));
}

/// The reference problems: X* of rank 1 on 8 x 8 (symmetric) or 8 x 6, measured by
/// m = 160 dense Gaussian measurements, y = A(X*).
struct ReferenceProblem {
  std::shared_ptr<const ProblemInstance> instance;
  ReferenceSquaredLoss loss;

  ReferenceProblem(std::uint64_t seed, bool symmetric) {
    const MatrixShape shape = symmetric ? MatrixShape::square_symmetric(8) : MatrixShape::rectangular(8, 6);
    RandomStream random(seed, "measurement");
    auto A = std::make_shared<const ReferenceOperator>(shape, 160, random);
    ProblemData data;
    data.ground_truth = reference_truth(shape, seed);
    Vector y;
    A->forward_factored(data.ground_truth->factors(), y);
    ProblemDescription description{shape, true, false, false, 1};
    instance = std::make_shared<const ProblemInstance>(description, std::move(data), std::move(A), std::move(y));
  }
};

Matrix random_matrix(const MatrixShape& shape, RandomStream& random) {
  Matrix G(shape.rows, shape.cols);
  random.fill_normal(G);
  return shape.symmetric ? Matrix(0.5 * (G + G.transpose())) : G;
}

FactorSet random_factors(const FactorShape& shape, RandomStream& random, double variance = 1.0) {
  FactorSet factors = FactorSet::zeros(shape);
  for (std::size_t i = 0; i < factors.size(); ++i) random.fill_normal(factors[i], variance);
  return factors;
}

class Checks {
 public:
  /// Runs `body`, which returns the measured value; passes when
  /// measured <= tolerance (NaN fails). Exceptions fail the check with their message.
  void threshold(const std::string& name, double tolerance, const std::function<double()>& body,
                 const std::string& detail = "") {
    ConformanceCheck check{name, CheckOutcome::passed, kNan, tolerance, detail};
    guarded(check, [&] {
      check.measured = body();
      if (!(check.measured <= tolerance)) {
        check.outcome = CheckOutcome::failed;
        if (std::isnan(check.measured)) check.detail = "not a number (NaN)";
        else if (check.detail.empty()) check.detail = "above the tolerance";
      }
    });
    checks_.push_back(std::move(check));
  }

  /// A yes/no check; `body` returns an empty string on success, else why not.
  void condition(const std::string& name, const std::function<std::string()>& body) {
    ConformanceCheck check{name, CheckOutcome::passed, kNan, kNan, ""};
    guarded(check, [&] {
      check.detail = body();
      if (!check.detail.empty()) check.outcome = CheckOutcome::failed;
    });
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
  template <class Body>
  static void guarded(ConformanceCheck& check, Body&& body) {
    try {
      body();
    } catch (const std::exception& error) {
      check.outcome = CheckOutcome::failed;
      check.detail = std::string("threw: ") + error.what();
    } catch (...) {
      check.outcome = CheckOutcome::failed;
      check.detail = "threw an exception that is not a std::exception";
    }
  }

  std::vector<ConformanceCheck> checks_;
};

double relative(double difference, double scale) { return difference / std::max(scale, 1e-300); }

/// |a - b| / |b| over the factors of two sets (NaN when their shapes differ).
double relative(const FactorSet& a, const FactorSet& b) {
  if (a.shape() != b.shape()) return kNan;
  return relative((a - b).norm(), b.norm());
}

// ---------------------------------------------------------------- problem

void check_problem(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                   Checks& checks) {
  const auto problem = checks.created([&] { return plugin.create_problem(values); });
  if (!problem) return;
  ProblemDescription description;
  checks.condition("describes a valid shape and what it provides", [&]() -> std::string {
    description = problem->describe();
    const MatrixShape& s = description.shape;
    if (s.rows < 1 || s.cols < 1) return "shape " + s.describe() + " is empty";
    if (s.symmetric && s.rows != s.cols) return "a symmetric shape must be square";
    if (!description.ground_truth && !description.observed) return "neither a ground truth nor observed entries";
    return "";
  });
  if (description.shape.rows < 1) return;
  auto draw = [&] {
    RandomStream random(options.seed, "ground_truth");
    return problem->sample(random);
  };
  ProblemData data;
  checks.condition("sample provides what describe() says, in the declared shape", [&]() -> std::string {
    data = draw();
    const MatrixShape& s = description.shape;
    if (description.ground_truth != data.ground_truth.has_value()) return "ground truth presence differs";
    if (description.observed != data.observed.has_value()) return "observed entries presence differs";
    if (description.heldout != data.heldout.has_value()) return "held-out entries presence differs";
    if (data.ground_truth) {
      const GroundTruth& truth = *data.ground_truth;
      if (truth.rows() != s.rows || truth.cols() != s.cols)
        return fmt::format("ground truth is {} x {}", truth.rows(), truth.cols());
      if (description.rank > 0 && truth.rank() != description.rank)
        return fmt::format("ground truth has rank {}, described {}", truth.rank(), description.rank);
    }
    for (const auto* entries : {data.observed ? &*data.observed : nullptr, data.heldout ? &*data.heldout : nullptr}) {
      if (!entries) continue;
      if (entries->rows.size() != entries->size() || entries->columns.size() != entries->size())
        return "entries have rows, columns and values of different lengths";
      for (std::size_t e = 0; e < entries->size(); ++e)
        if (entries->rows[e] < 0 || entries->rows[e] >= s.rows || entries->columns[e] < 0 ||
            entries->columns[e] >= s.cols || !std::isfinite(entries->values[e]))
          return fmt::format("entry {} ({}, {}) lies outside the shape or is not finite", e, entries->rows[e],
                             entries->columns[e]);
    }
    return "";
  });
  if (data.ground_truth) {
    checks.threshold("ground truth factors orthonormal: |P^T P - I| + |Q^T Q - I|", 1e-10, [&] {
      const GroundTruth& truth = *data.ground_truth;
      const Index r = truth.rank();
      return (truth.left().transpose() * truth.left() - Matrix::Identity(r, r)).norm() +
             (truth.right().transpose() * truth.right() - Matrix::Identity(r, r)).norm();
    });
  } else {
    checks.skip("ground truth factors orthonormal", "no ground truth (a data problem)");
  }
  checks.threshold("determinism: same stream, same data", 0.0, [&] {
    const ProblemData again = draw();
    double difference = 0;
    if (data.ground_truth) difference += (again.ground_truth->dense() - data.ground_truth->dense()).norm();
    if (data.observed)
      difference += again.observed->values == data.observed->values && again.observed->rows == data.observed->rows
                        ? 0.0
                        : 1.0;
    if (data.heldout) difference += again.heldout->values == data.heldout->values ? 0.0 : 1.0;
    return difference;
  });
}

// ---------------------------------------------------------------- corruption

void check_corruption(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                      Checks& checks) {
  const auto corruption = checks.created([&] { return plugin.create_corruption(values); });
  if (!corruption) return;
  RandomStream random(options.seed, "conformance");
  Vector clean(200);
  random.fill_normal(clean, 0.01);
  auto apply = [&] {
    Vector y = clean;
    RandomStream stream(options.seed, "corruption.0");
    corruption->corrupt(y, stream);
    return y;
  };
  Vector first;
  checks.condition("keeps the number of observations, finite", [&]() -> std::string {
    first = apply();
    if (first.size() != clean.size()) return fmt::format("{} observations became {}", clean.size(), first.size());
    return first.allFinite() ? "" : "non-finite observations";
  });
  checks.threshold("determinism: same stream, same corruption", 0.0, [&] {
    const Vector again = apply();
    return again.size() == first.size() ? (again - first).norm() : kNan;
  });
}

// ---------------------------------------------------------------- measurement

void check_measurement_shape(const MeasurementModel& model, const LoadedPlugin& plugin, const MatrixShape& shape,
                             const ConformanceOptions& options, Checks& checks) {
  const std::string tag = shape.symmetric ? "" : fmt::format(" [{}]", shape.describe());
  auto sample = [&](std::uint64_t s) {
    RandomStream random(s, "measurement");
    return plugin.hold(model.sample(MeasurementSetting{shape, nullptr}, random));
  };
  std::shared_ptr<const MeasurementOperator> A;
  try {
    A = sample(options.seed);
  } catch (const std::exception& error) {
    checks.skip("measures " + shape.describe() + " matrices", std::string("the model refuses: ") + error.what());
    return;
  } catch (...) {
    checks.skip("measures " + shape.describe() + " matrices", "the model refuses");
    return;
  }
  const Index k = 3;
  const FactorShape symmetric_factors{shape.rows, shape.cols, k, true};
  const FactorShape asymmetric_factors{shape.rows, shape.cols, k, false};
  bool sized = false;
  checks.condition("dimensions (shape, m, output sizes)" + tag, [&]() -> std::string {
    if (A->shape() != shape) return "shape() is " + A->shape().describe() + ", expected " + shape.describe();
    if (A->measurements() < 1) return "measurements() < 1";
    Vector out;
    A->forward(Matrix::Identity(shape.rows, shape.cols), out);
    if (out.size() != A->measurements()) return "forward() output size differs from measurements()";
    Matrix applied;
    A->adjoint_apply(Vector::Ones(A->measurements()), Matrix::Ones(shape.cols, k), applied);
    if (applied.rows() != shape.rows || applied.cols() != k) return "adjoint_apply() output is not n1 x k";
    A->adjoint_transpose_apply(Vector::Ones(A->measurements()), Matrix::Ones(shape.rows, k), applied);
    if (applied.rows() != shape.cols || applied.cols() != k) return "adjoint_transpose_apply() output is not n2 x k";
    const Matrix dense = A->adjoint(Vector::Ones(A->measurements()));
    if (dense.rows() != shape.rows || dense.cols() != shape.cols) return "adjoint() output is not n1 x n2";
    sized = true;
    return "";
  });
  if (!sized) return;
  const Index m = A->measurements();
  RandomStream random(options.seed, "conformance");
  auto random_vector = [&] {
    Vector v(m);
    random.fill_normal(v);
    return v;
  };
  checks.threshold("adjoint identity <A(X), v> = <X, A*(v)>" + tag, 1e-10, [&] {
    double worst = 0;
    for (int trial = 0; trial < 5; ++trial) {
      const Matrix X = random_matrix(shape, random);
      const Vector v = random_vector();
      Vector AX;
      A->forward(X, AX);
      const Matrix Av = A->adjoint(v);
      const double lhs = AX.dot(v), rhs = (X.array() * Av.array()).sum();
      worst = worse(worst, relative(std::abs(lhs - rhs), AX.norm() * v.norm() + X.norm() * Av.norm()));
    }
    return worst;
  }, "relative difference, worst of 5 random (X, v)");
  for (const FactorShape& factor_shape : {symmetric_factors, asymmetric_factors}) {
    if (factor_shape.symmetric && !shape.symmetric) continue;
    const std::string which = factor_shape.symmetric ? "A(UU^T)" : "A(UV^T)";
    checks.threshold("factored forward " + which + " equals forward of the formed matrix" + tag, 1e-10, [&] {
      const FactorSet F = random_factors(factor_shape, random);
      Matrix X = F.product();
      if (shape.symmetric) X = 0.5 * (X + X.transpose()).eval();
      Vector factored, dense;
      A->forward_factored(F, factored);
      A->forward(X, dense);
      return factored.size() == dense.size() ? relative((factored - dense).norm(), dense.norm()) : kNan;
    }, "relative difference");
  }
  checks.threshold("adjoint_apply(v, M) and adjoint_transpose_apply equal adjoint(v) M, adjoint(v)^T M" + tag, 1e-10,
                   [&] {
    const Vector v = random_vector();
    Matrix M(shape.cols, k), N(shape.rows, k), applied, transposed;
    random.fill_normal(M);
    random.fill_normal(N);
    A->adjoint_apply(v, M, applied);
    A->adjoint_transpose_apply(v, N, transposed);
    const Matrix dense = A->adjoint(v);
    const Matrix expected = dense * M, expected_transposed = dense.transpose() * N;
    return worse(relative((applied - expected).norm(), expected.norm()),
                 relative((transposed - expected_transposed).norm(), expected_transposed.norm()));
  }, "relative difference");
  if (shape.symmetric)
    checks.threshold("adjoint(v) is symmetric", 1e-12, [&] {
      const Matrix W = A->adjoint(random_vector());
      return relative((W - W.transpose()).norm(), W.norm());
    });
  checks.threshold("evaluate agrees with forward and adjoint (squared loss), alone and batched" + tag, 1e-10, [&] {
    // The objective's path: value 1/4|A(X) - y|^2 and adjoint products of A*(r/2).
    const ReferenceSquaredLoss loss;
    const Vector y = random_vector();
    std::vector<FactorSet> sets;
    for (const FactorShape& factor_shape : {symmetric_factors, asymmetric_factors})
      if (!factor_shape.symmetric || shape.symmetric) sets.push_back(random_factors(factor_shape, random));
    sets.push_back(random_factors({shape.rows, shape.cols, 1, shape.symmetric}, random));
    std::vector<FactorSet> batched(sets.size()), alone(sets.size());
    std::vector<FactorEvaluation> items;
    for (std::size_t j = 0; j < sets.size(); ++j) {
      batched[j].resize(sets[j].shape());
      items.push_back({&sets[j], &batched[j], 0.0});
    }
    A->evaluate(y, loss, items);
    double worst = 0;
    for (std::size_t j = 0; j < sets.size(); ++j) {
      alone[j].resize(sets[j].shape());
      FactorEvaluation single{&sets[j], &alone[j], 0.0};
      A->evaluate(y, loss, std::span<FactorEvaluation>(&single, 1));
      // The batch contract: bit-identical to evaluating alone.
      if (single.value != items[j].value || !(alone[j] == batched[j])) return 1.0;
      Vector residual;
      A->forward_factored(sets[j], residual);
      residual -= y;
      const Vector derivative = 0.5 * residual;
      FactorSet expected = FactorSet::zeros(sets[j].shape());
      if (sets[j].symmetric()) {
        A->adjoint_apply(derivative, sets[j].left(), expected.left());
      } else {
        A->adjoint_apply(derivative, sets[j].right(), expected.left());
        A->adjoint_transpose_apply(derivative, sets[j].left(), expected.right());
      }
      worst = worse(worst, relative(std::abs(single.value - 0.25 * residual.squaredNorm()), residual.squaredNorm()));
      worst = worse(worst, relative(alone[j], expected));
    }
    return worst;
  }, "relative difference of values and adjoint products; 1 if a batch changes a result");
  checks.threshold("determinism: same stream, same operator" + tag, 0.0, [&] {
    const auto again = sample(options.seed);
    const Matrix X = random_matrix(shape, random);
    Vector first, second;
    A->forward(X, first);
    again->forward(X, second);
    if (first.size() != second.size()) return 1.0;
    return (first - second).norm();
  }, "|A(X) - A'(X)| for two draws from one seed");
  if (model.isometric_in_expectation(shape)) {
    checks.threshold("E|A(Z)|^2 = |Z|_F^2 (claimed by the model)" + tag, 0.1, [&] {
      const Matrix Z = random_matrix(shape, random);
      double mean = 0;
      const int draws = 400;
      for (int d = 0; d < draws; ++d) {
        Vector AZ;
        sample(options.seed + 1000 + static_cast<std::uint64_t>(d))->forward(Z, AZ);
        mean += AZ.squaredNorm() / draws;
      }
      return std::abs(mean / Z.squaredNorm() - 1);
    }, "relative deviation of the mean over 400 draws");
  } else {
    checks.skip("E|A(Z)|^2 = |Z|_F^2" + tag, "the model does not claim isometry in expectation");
  }
}

void check_measurement(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                       Checks& checks) {
  const auto model = checks.created([&] { return plugin.create_measurement(values); });
  if (!model) return;
  const Index n = std::max<Index>(options.n, 3);
  check_measurement_shape(*model, plugin, MatrixShape::square_symmetric(n), options, checks);
  check_measurement_shape(*model, plugin, MatrixShape::rectangular(n, n - 2), options, checks);
}

// ---------------------------------------------------------------- loss

void check_loss(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                Checks& checks) {
  const auto loss = checks.created([&] { return plugin.create_loss(values); });
  if (!loss) return;
  RandomStream random(options.seed, "conformance");
  Vector residual(30);
  random.fill_normal(residual, 4.0);
  checks.threshold("derivative against central finite differences", 1e-6, [&] {
    Vector derivative(residual.size()), scratch(residual.size());
    const double value = loss->evaluate(residual, derivative);
    if (!std::isfinite(value) || !derivative.allFinite()) return kNan;
    double worst = 0;
    for (Index i = 0; i < residual.size(); ++i) {
      const double h = 1e-6 * std::max(1.0, std::abs(residual(i)));
      Vector plus = residual, minus = residual;
      plus(i) += h;
      minus(i) -= h;
      const double numeric = (loss->evaluate(plus, scratch) - loss->evaluate(minus, scratch)) / (2 * h);
      worst = worse(worst, std::abs(numeric - derivative(i)) / std::max(1.0, std::abs(derivative(i))));
    }
    return worst;
  }, "worst relative error over 30 residuals (NaN: a value or derivative is not finite)");
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

/// A path parameter without a default cannot be checked without a file.
std::string missing_path(const LoadedPlugin& plugin, const ParameterValues& values) {
  for (const auto& spec : plugin.info().parameters)
    if (spec.type == ParameterType::path && values.text(spec.name).empty())
      return fmt::format("needs a file: `ncvx check {} {}=PATH`", plugin.info().name, spec.name);
  return "";
}

}  // namespace

std::vector<ConformanceCheck> check_plugin(const LoadedPlugin& plugin, const ParameterValues& overrides,
                                           const ConformanceOptions& options) {
  ParameterValues values = ParameterValues::defaults(plugin.info().parameters);
  for (const auto& [name, value] : overrides.all()) values.set(name, value);
  Checks checks;
  if (const std::string missing = missing_path(plugin, values); !missing.empty()) {
    checks.skip("created with its parameters", missing);
    return checks.take();
  }
  switch (plugin.info().kind) {
    case PluginKind::problem: check_problem(plugin, values, options, checks); break;
    case PluginKind::corruption: check_corruption(plugin, values, options, checks); break;
    case PluginKind::measurement: check_measurement(plugin, values, options, checks); break;
    case PluginKind::loss: check_loss(plugin, values, options, checks); break;
    case PluginKind::initializer: check_initializer(plugin, values, options, checks); break;
    case PluginKind::optimizer: check_optimizer(plugin, values, options, checks); break;
    case PluginKind::metric: check_metric(plugin, values, options, checks); break;
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
