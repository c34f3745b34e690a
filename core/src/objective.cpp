#include "ncvx/objective.hpp"

#include "ncvx/lockstep.hpp"

namespace ncvx {

Objective::Objective(const MeasurementOperator& measurement, const Loss& loss,
                     const Vector& observations)
    : measurement_(measurement), loss_(loss), observations_(observations) {}

void Objective::evaluate(FactorEvaluation& item) const {
  ++evaluations_;
  if (item.adjoint_products) item.adjoint_products->resize(item.factors->shape());
  if (lockstep_) {
    lockstep_->evaluate(item);
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

}  // namespace ncvx
