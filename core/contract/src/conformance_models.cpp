// The conformance checks of problems, corruptions and measurement models
// (conformance.hpp lists what each verifies).

#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "conformance_kit.hpp"

namespace ncvx::detail {

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

/// The checks of a measurement model's operator on one shape of matrices,
/// a method each; they draw their random inputs from one stream, in order.
class OperatorChecks {
 public:
  OperatorChecks(const MeasurementModel& model, const LoadedPlugin& plugin, const MatrixShape& shape,
                 const ConformanceOptions& options, Checks& checks)
      : model_(model), plugin_(plugin), shape_(shape), options_(options), checks_(checks),
        tag_(shape.symmetric ? "" : fmt::format(" [{}]", shape.describe())), random_(options.seed, "conformance") {}

  void run() {
    try {
      A_ = sample(options_.seed);
    } catch (const std::exception& error) {
      checks_.skip("measures " + shape_.describe() + " matrices", std::string("the model refuses: ") + error.what());
      return;
    } catch (...) {
      checks_.skip("measures " + shape_.describe() + " matrices", "the model refuses");
      return;
    }
    if (!dimensions()) return;
    adjoint_identity();
    factored_forward();
    adjoint_products();
    if (shape_.symmetric) symmetric_adjoint();
    evaluate_alone_and_batched();
    determinism();
    isometry();
  }

 private:
  static constexpr Index k = 3;

  std::shared_ptr<const MeasurementOperator> sample(std::uint64_t seed) const {
    RandomStream random(seed, "measurement");
    return plugin_.hold(model_.sample(MeasurementSetting{shape_, nullptr}, random));
  }

  Vector random_vector() {
    Vector v(A_->measurements());
    random_.fill_normal(v);
    return v;
  }

  /// U U^T (when the matrices are symmetric), then U V^T, of width k.
  std::vector<FactorShape> factor_shapes() const {
    std::vector<FactorShape> shapes;
    if (shape_.symmetric) shapes.push_back({shape_.rows, shape_.cols, k, true});
    shapes.push_back({shape_.rows, shape_.cols, k, false});
    return shapes;
  }

  bool dimensions() {
    const MeasurementOperator& A = *A_;
    const MatrixShape& shape = shape_;
    bool sized = false;
    checks_.condition("dimensions (shape, m, output sizes)" + tag_, [&]() -> std::string {
      const MatrixShape measured = A.shape();  // a tensor's operator may describe its unfolding as a matrix
      if (measured.rows != shape.rows || measured.cols != shape.cols || measured.symmetric != shape.symmetric)
        return "shape() is " + measured.describe() + ", expected " + shape.describe();
      if (A.measurements() < 1) return "measurements() < 1";
      Vector out;
      A.forward(Matrix::Identity(shape.rows, shape.cols), out);
      if (out.size() != A.measurements()) return "forward() output size differs from measurements()";
      Matrix applied;
      A.adjoint_apply(Vector::Ones(A.measurements()), Matrix::Ones(shape.cols, k), applied);
      if (applied.rows() != shape.rows || applied.cols() != k) return "adjoint_apply() output is not n1 x k";
      A.adjoint_transpose_apply(Vector::Ones(A.measurements()), Matrix::Ones(shape.rows, k), applied);
      if (applied.rows() != shape.cols || applied.cols() != k) return "adjoint_transpose_apply() output is not n2 x k";
      const Matrix dense = A.adjoint(Vector::Ones(A.measurements()));
      if (dense.rows() != shape.rows || dense.cols() != shape.cols) return "adjoint() output is not n1 x n2";
      sized = true;
      return "";
    });
    return sized;
  }

  void adjoint_identity() {
    checks_.threshold("adjoint identity <A(X), v> = <X, A*(v)>" + tag_, 1e-10, [&] {
      double worst = 0;
      for (int trial = 0; trial < 5; ++trial) {
        const Matrix X = random_matrix(shape_, random_);
        const Vector v = random_vector();
        Vector AX;
        A_->forward(X, AX);
        const Matrix Av = A_->adjoint(v);
        const double lhs = AX.dot(v), rhs = (X.array() * Av.array()).sum();
        worst = worse(worst, relative(std::abs(lhs - rhs), AX.norm() * v.norm() + X.norm() * Av.norm()));
      }
      return worst;
    }, "relative difference, worst of 5 random (X, v)");
  }

  void factored_forward() {
    for (const FactorShape& factor_shape : factor_shapes()) {
      const std::string which = factor_shape.symmetric ? "A(UU^T)" : "A(UV^T)";
      checks_.threshold("factored forward " + which + " equals forward of the formed matrix" + tag_, 1e-10, [&] {
        const FactorSet F = random_factors(factor_shape, random_);
        Matrix X = F.product();
        if (shape_.symmetric) X = 0.5 * (X + X.transpose()).eval();
        Vector factored, dense;
        A_->forward_factored(F, factored);
        A_->forward(X, dense);
        return factored.size() == dense.size() ? relative((factored - dense).norm(), dense.norm()) : kNan;
      }, "relative difference");
    }
  }

  void adjoint_products() {
    checks_.threshold(
        "adjoint_apply(v, M) and adjoint_transpose_apply equal adjoint(v) M, adjoint(v)^T M" + tag_, 1e-10, [&] {
          const Vector v = random_vector();
          Matrix M(shape_.cols, k), N(shape_.rows, k), applied, transposed;
          random_.fill_normal(M);
          random_.fill_normal(N);
          A_->adjoint_apply(v, M, applied);
          A_->adjoint_transpose_apply(v, N, transposed);
          const Matrix dense = A_->adjoint(v);
          const Matrix expected = dense * M, expected_transposed = dense.transpose() * N;
          return worse(relative((applied - expected).norm(), expected.norm()),
                       relative((transposed - expected_transposed).norm(), expected_transposed.norm()));
        }, "relative difference");
  }

  void symmetric_adjoint() {
    checks_.threshold("adjoint(v) is symmetric", 1e-12, [&] {
      const Matrix W = A_->adjoint(random_vector());
      return relative((W - W.transpose()).norm(), W.norm());
    });
  }

  /// The objective's path: value 1/4|A(X) - y|^2 and adjoint products of A*(r/2).
  void evaluate_alone_and_batched() {
    checks_.threshold("evaluate agrees with forward and adjoint (squared loss), alone and batched" + tag_, 1e-10, [&] {
      const ReferenceSquaredLoss loss;
      const Vector y = random_vector();
      std::vector<FactorSet> sets;
      for (const FactorShape& factor_shape : factor_shapes()) sets.push_back(random_factors(factor_shape, random_));
      sets.push_back(random_factors({shape_.rows, shape_.cols, 1, shape_.symmetric}, random_));
      std::vector<FactorSet> batched(sets.size());
      std::vector<FactorEvaluation> items;
      for (std::size_t j = 0; j < sets.size(); ++j) {
        batched[j].resize(sets[j].shape());
        items.push_back({&sets[j], &batched[j], 0.0});
      }
      A_->evaluate(y, loss, items);
      double worst = 0;
      for (std::size_t j = 0; j < sets.size(); ++j) {
        const double difference = evaluated_alone(sets[j], y, loss, items[j].value, batched[j]);
        if (std::isinf(difference)) return 1.0;
        worst = worse(worst, difference);
      }
      return worst;
    }, "relative difference of values and adjoint products; 1 if a batch changes a result");
  }

  /// `set` evaluated alone: infinity when it differs from its batched result
  /// (the batch contract: bit-identical), else the relative difference from
  /// the forward and adjoint definitions.
  double evaluated_alone(const FactorSet& set, const Vector& y, const Loss& loss, double batched_value,
                         const FactorSet& batched) const {
    FactorSet alone;
    alone.resize(set.shape());
    FactorEvaluation single{&set, &alone, 0.0};
    A_->evaluate(y, loss, std::span<FactorEvaluation>(&single, 1));
    if (single.value != batched_value || !(alone == batched)) return std::numeric_limits<double>::infinity();
    Vector residual;
    A_->forward_factored(set, residual);
    residual -= y;
    const Vector derivative = 0.5 * residual;
    FactorSet expected = FactorSet::zeros(set.shape());
    if (set.symmetric()) {
      A_->adjoint_apply(derivative, set.left(), expected.left());
    } else {
      A_->adjoint_apply(derivative, set.right(), expected.left());
      A_->adjoint_transpose_apply(derivative, set.left(), expected.right());
    }
    return worse(relative(std::abs(single.value - 0.25 * residual.squaredNorm()), residual.squaredNorm()),
                 relative(alone, expected));
  }

  void determinism() {
    checks_.threshold("determinism: same stream, same operator" + tag_, 0.0, [&] {
      const auto again = sample(options_.seed);
      const Matrix X = random_matrix(shape_, random_);
      Vector first, second;
      A_->forward(X, first);
      again->forward(X, second);
      if (first.size() != second.size()) return 1.0;
      return (first - second).norm();
    }, "|A(X) - A'(X)| for two draws from one seed");
  }

  void isometry() {
    if (!model_.isometric_in_expectation(shape_)) {
      checks_.skip("E|A(Z)|^2 = |Z|_F^2" + tag_, "the model does not claim isometry in expectation");
      return;
    }
    checks_.threshold("E|A(Z)|^2 = |Z|_F^2 (claimed by the model)" + tag_, 0.1, [&] {
      const Matrix Z = random_matrix(shape_, random_);
      double mean = 0;
      const int draws = 400;
      for (int d = 0; d < draws; ++d) {
        Vector AZ;
        sample(options_.seed + 1000 + static_cast<std::uint64_t>(d))->forward(Z, AZ);
        mean += AZ.squaredNorm() / draws;
      }
      return std::abs(mean / Z.squaredNorm() - 1);
    }, "relative deviation of the mean over 400 draws");
  }

  const MeasurementModel& model_;
  const LoadedPlugin& plugin_;
  const MatrixShape shape_;
  const ConformanceOptions& options_;
  Checks& checks_;
  const std::string tag_;
  RandomStream random_;
  std::shared_ptr<const MeasurementOperator> A_;
};

void check_measurement_shape(const MeasurementModel& model, const LoadedPlugin& plugin, const MatrixShape& shape,
                             const ConformanceOptions& options, Checks& checks) {
  OperatorChecks(model, plugin, shape, options, checks).run();
}

void check_measurement(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                       Checks& checks) {
  const auto model = checks.created([&] { return plugin.create_measurement(values); });
  if (!model) return;
  const Index n = std::max<Index>(options.n, 3);
  check_measurement_shape(*model, plugin, MatrixShape::square_symmetric(n), options, checks);
  check_measurement_shape(*model, plugin, MatrixShape::rectangular(n, n - 2), options, checks);
  // An order-3 tensor, measured as its mode-1 unfolding (n x 2(n - 2) for n x 2 x (n - 2)).
  check_measurement_shape(*model, plugin, MatrixShape::tensor(n, 2, n - 2), options, checks);
}

}  // namespace ncvx::detail
