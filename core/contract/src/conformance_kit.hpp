#pragma once
// The conformance kit's tools (internal to the contract): reference objects
// written densely and independently of any plugin (a Gaussian operator, the
// squared loss, a rank-one problem), random test inputs, and Checks, which
// records each check's outcome, measurement and tolerance. The checks
// themselves are in conformance_models.cpp (problem, corruption,
// measurement) and conformance_methods.cpp (loss, initializer, optimizer,
// metric).

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/QR>

#include "ncvx/conformance.hpp"
#include "ncvx/problem_instance.hpp"

namespace ncvx::detail {

inline const double kNan = std::nan("");

/// The larger of two measurements; NaN wins (a NaN must fail, not vanish in a max).
inline double worse(double a, double b) { return std::isnan(a) || std::isnan(b) ? kNan : std::max(a, b); }

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
inline GroundTruth reference_truth(const MatrixShape& shape, std::uint64_t seed) {
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

inline Matrix random_matrix(const MatrixShape& shape, RandomStream& random) {
  Matrix G(shape.rows, shape.cols);
  random.fill_normal(G);
  return shape.symmetric ? Matrix(0.5 * (G + G.transpose())) : G;
}

inline FactorSet random_factors(const FactorShape& shape, RandomStream& random, double variance = 1.0) {
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

inline double relative(double difference, double scale) { return difference / std::max(scale, 1e-300); }

/// |a - b| / |b| over the factors of two sets (NaN when their shapes differ).
inline double relative(const FactorSet& a, const FactorSet& b) {
  if (a.shape() != b.shape()) return kNan;
  return relative((a - b).norm(), b.norm());
}

void check_problem(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                   Checks& checks);
void check_corruption(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                      Checks& checks);
void check_measurement(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                       Checks& checks);
void check_loss(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                Checks& checks);
void check_initializer(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                       Checks& checks);
void check_optimizer(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                     Checks& checks);
void check_metric(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                  Checks& checks);
void check_factorization(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                         Checks& checks);

}  // namespace ncvx::detail
