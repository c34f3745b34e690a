#include "ncvx/objective.hpp"

#include <cmath>

#include "ncvx/errors.hpp"
#include "ncvx/factorization.hpp"
#include "ncvx/random_stream.hpp"

#include <fmt/format.h>

namespace ncvx {

Objective::Objective(const MeasurementOperator& measurement, const Loss& loss, const Vector& observations,
                     const Factorization* factorization)
    : measurement_(measurement),
      loss_(loss),
      observations_(observations),
      factorization_(factorization && !factorization->direct() ? factorization : nullptr) {}

void Objective::check(const FactorSet& factors) const {
  const MatrixShape shape = measurement_.shape();
  const bool fits = factors.size() >= 1 && factors.left().rows() == shape.rows &&
                    factors.right().rows() == shape.cols && factors.left().cols() == factors.right().cols();
  if (!fits)
    throw Error(fmt::format("the objective was given factors {} ({}), which do not fit its operator on {} "
                            "matrices; was a factor resized?",
                            factors.describe(), factors.symmetric() ? "X = U U^T" : "X = U V^T", shape.describe()));
}

void Objective::check(const Matrix& X) const {
  const MatrixShape shape = measurement_.shape();
  if (X.rows() != shape.rows || X.cols() != shape.cols)
    throw Error(fmt::format("the objective was given a {} x {} matrix X for its operator on {} matrices.", X.rows(),
                            X.cols(), shape.describe()));
}

void Objective::evaluate(FactorEvaluation& item) const {
  check(*item.factors);
  ++evaluations_;
  if (item.adjoint_products) item.adjoint_products->resize(item.factors->shape());
  if (shared_) {
    shared_->evaluate(item);
  } else {
    measurement_.evaluate(observations_, loss_, std::span<FactorEvaluation>(&item, 1));
  }
}

double Objective::evaluate_general(const FactorSet& blocks, FactorSet* gradient) const {
  if (!factorization_ || !blocks.general())
    throw Error(fmt::format("the objective was given {} factors for {}; was the method's factorization "
                            "changed?",
                            blocks.general() ? "general" : blocks.describe(),
                            factorization_ ? "a general factorization" : "X = U U^T or U V^T"));
  // The thin factors and their adjoint products live in per-thread buffers kept
  // between calls: a large R (cp's Khatri-Rao product) is not allocated and
  // faulted in again at every evaluation.
  thread_local FactorSet product{Matrix(), Matrix()}, products;
  factorization_->lift(blocks, product.left(), product.right());
  FactorEvaluation item{&product, gradient ? &products : nullptr, 0.0};
  evaluate(item);
  if (gradient) {
    gradient->resize(blocks.shape());
    factorization_->pull_back(blocks, product.left(), product.right(), products.left(), products.right(), *gradient);
  }
  return item.value;
}

double Objective::value(const FactorSet& factors) const {
  if (factorization_ || factors.general()) return evaluate_general(factors, nullptr);
  FactorEvaluation item{&factors, nullptr, 0.0};
  evaluate(item);
  return item.value;
}

double Objective::value_and_gradient(const FactorSet& factors, FactorSet& gradient) const {
  if (factorization_ || factors.general()) return evaluate_general(factors, &gradient);
  FactorEvaluation item{&factors, &gradient, 0.0};
  evaluate(item);
  // symmetric: grad_U f = 2 A*(l'(r)) U; asymmetric: the adjoint products are the gradient.
  if (factors.symmetric()) gradient.left() *= 2.0;
  return item.value;
}

namespace {

/// L(r) for r = A(X) - y at a dense X; writes l'(r) into `derivative`.
double loss_at(const MeasurementOperator& measurement, const Loss& loss, const Vector& observations, const Matrix& X,
               Vector& derivative) {
  Vector residual;
  measurement.forward(X, residual);
  residual -= observations;
  derivative.resize(residual.size());
  return loss.evaluate_observed(residual, observations, derivative);
}

}  // namespace

double Objective::value_and_gradient_matrix(const Matrix& X, Matrix& gradient) const {
  check(X);
  ++evaluations_;
  Vector derivative;
  const double value = loss_at(measurement_, loss_, observations_, X, derivative);
  gradient = measurement_.adjoint(derivative);
  return value;
}

double Objective::value_matrix(const Matrix& X) const {
  check(X);
  ++evaluations_;
  Vector derivative;
  return loss_at(measurement_, loss_, observations_, X, derivative);
}

double Objective::scale() const {
  if (scale_ > 0) return scale_;
  // Power iteration on M^T M, M = A*(y), from a fixed pseudo-random start
  // (deterministic, and almost surely not orthogonal to the top vector).
  // 100 matrix-free products (adjoint_apply on one column) put the estimate
  // within a fraction of a percent for the gaps of low-rank data.
  const Index cols = measurement_.cols();
  RandomStream random(0, "objective_scale");
  Matrix v(cols, 1), Mv, MtMv;
  random.fill_normal(v, 1.0);
  v /= v.norm();
  double sigma = 0.0;
  for (int iteration = 0; iteration < 100; ++iteration) {
    measurement_.adjoint_apply(observations_, v, Mv);
    if (measurement_.symmetric()) {
      MtMv = Mv;  // M symmetric: iterate with M itself, |M v| -> |lambda_max|
    } else {
      measurement_.adjoint_transpose_apply(observations_, Mv, MtMv);
    }
    const double norm = MtMv.norm();
    if (!(norm > 0) || !std::isfinite(norm)) break;
    sigma = measurement_.symmetric() ? norm : std::sqrt(norm);
    v = MtMv / norm;
  }
  scale_ = sigma > 0 ? sigma : 1.0;
  return scale_;
}

}  // namespace ncvx
