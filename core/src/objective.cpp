#include "ncvx/objective.hpp"

namespace ncvx {

Objective::Objective(const MeasurementOperator& measurement, const Loss& loss,
                     const Vector& observations)
    : measurement_(measurement), loss_(loss), observations_(observations) {}

double Objective::value(const Matrix& factor) const {
  measurement_.forward_factored(factor, residual_);
  ++passes_;
  residual_ -= observations_;
  derivative_.resize(residual_.size());
  return loss_.evaluate(residual_, derivative_);
}

double Objective::value_and_gradient(const Matrix& factor, Matrix& gradient) const {
  const double result = value(factor);
  // grad f(U) = 2 A*(l'(r)) U
  measurement_.adjoint_apply(derivative_, factor, gradient);
  ++passes_;
  gradient *= 2.0;
  return result;
}

}  // namespace ncvx
