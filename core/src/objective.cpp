#include "ncvx/objective.hpp"

#include "ncvx/lockstep.hpp"

namespace ncvx {

Objective::Objective(const MeasurementOperator& measurement, const Loss& loss,
                     const Vector& observations)
    : measurement_(measurement), loss_(loss), observations_(observations) {}

void Objective::evaluate(FactorEvaluation& item) const {
  ++evaluations_;
  if (lockstep_) {
    lockstep_->evaluate(item);
  } else {
    measurement_.evaluate(observations_, loss_, std::span<FactorEvaluation>(&item, 1));
  }
}

double Objective::value(const Matrix& factor) const {
  FactorEvaluation item{&factor, nullptr, 0.0};
  evaluate(item);
  return item.value;
}

double Objective::value_and_gradient(const Matrix& factor, Matrix& gradient) const {
  FactorEvaluation item{&factor, &gradient, 0.0};
  evaluate(item);
  gradient *= 2.0;  // grad f(U) = 2 A*(l'(r)) U
  return item.value;
}

}  // namespace ncvx
