#pragma once
// The objective the core composes from a measurement operator A, a loss l
// and a factorization:
//
//   f(F)  = sum_i l(r_i),   r = A(X(F)) - y,   X(F) = U U^T or U V^T,
//
//   symmetric   grad_U f = 2 A*(l'(r)) U                 (B_i symmetric)
//   asymmetric  grad_U f = A*(l'(r)) V,   grad_V f = A*(l'(r))^T U.
//
// With the squared loss l(r) = r^2/4 this is f = 1/4 |A(X) - y|^2 and, for
// X = U U^T, grad f(U) = A*(A(U U^T) - y) U. Both go through
// MeasurementOperator::evaluate: one pass over A for a value, one (fused) or
// two passes for a value with gradient, depending on the model.
//
// When runs share an instance, their objectives can be joined to a Lockstep
// (lockstep.hpp): each evaluation then waits for the other runs' and one
// pass over A serves them all, with bit-identical results.
//
// One Objective serves one run (one thread); the operator and the loss it
// refers to may be shared.

#include "ncvx/loss.hpp"
#include "ncvx/measurement_operator.hpp"

namespace ncvx {

class Lockstep;

class Objective {
 public:
  Objective(const MeasurementOperator& measurement, const Loss& loss, const Vector& observations);

  double value(const FactorSet& factors) const;
  /// Returns f(F) and writes grad f(F) (the shape of F) into `gradient`.
  double value_and_gradient(const FactorSet& factors, FactorSet& gradient) const;

  const MeasurementOperator& measurement() const { return measurement_; }
  const Loss& loss() const { return loss_; }
  const Vector& observations() const { return observations_; }
  /// Evaluations so far (value and value_and_gradient each count one).
  long evaluations() const { return evaluations_; }

  /// Evaluations go through `lockstep` (shared with other runs) from now on;
  /// nullptr detaches.
  void join(Lockstep* lockstep) { lockstep_ = lockstep; }

 private:
  void evaluate(FactorEvaluation& item) const;

  const MeasurementOperator& measurement_;
  const Loss& loss_;
  const Vector& observations_;
  Lockstep* lockstep_ = nullptr;
  mutable long evaluations_ = 0;
};

}  // namespace ncvx
