#include "ncvx/objective.hpp"

#include <cmath>

#include "ncvx/random_stream.hpp"

namespace ncvx {

Objective::Objective(const MeasurementOperator& measurement, const Loss& loss,
                     const Vector& observations)
    : measurement_(measurement), loss_(loss), observations_(observations) {}

void Objective::evaluate(FactorEvaluation& item) const {
  ++evaluations_;
  if (item.adjoint_products) item.adjoint_products->resize(item.factors->shape());
  if (shared_) {
    shared_->evaluate(item);
  } else {
    measurement_.evaluate(observations_, loss_, std::span<FactorEvaluation>(&item, 1));
  }
}

double Objective::value(const FactorSet& factors) const {
  FactorEvaluation item{&factors, nullptr, 0.0};
  evaluate(item);
  return item.value;
}

double Objective::value_and_gradient(const FactorSet& factors, FactorSet& gradient) const {
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
  return loss.evaluate(residual, derivative);
}

}  // namespace

double Objective::value_and_gradient_matrix(const Matrix& X, Matrix& gradient) const {
  ++evaluations_;
  Vector derivative;
  const double value = loss_at(measurement_, loss_, observations_, X, derivative);
  gradient = measurement_.adjoint(derivative);
  return value;
}

double Objective::value_matrix(const Matrix& X) const {
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
