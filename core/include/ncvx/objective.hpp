#pragma once
// The objective the core composes from a measurement operator A, a loss l
// and the factorization X = U U^T:
//
//   f(U)      = sum_i l(r_i),        r = A(U U^T) - y,
//   grad f(U) = 2 A*(l'(r)) U.
//
// With the squared loss this is f(U) = 1/4 |A(U U^T) - y|^2 and
// grad f(U) = A*(A(U U^T) - y) U, the setting of PAPER.md section 3.
// One value costs one forward pass over A; a value with gradient costs one
// forward and one adjoint pass.
//
// An Objective holds scratch buffers, so one Objective serves one run
// (one thread); the operator and the loss it refers to may be shared.

#include "ncvx/loss.hpp"
#include "ncvx/measurement_operator.hpp"

namespace ncvx {

class Objective {
 public:
  Objective(const MeasurementOperator& measurement, const Loss& loss, const Vector& observations);

  double value(const Matrix& factor) const;
  /// Returns f(U) and writes grad f(U) (n x k) into `gradient`.
  double value_and_gradient(const Matrix& factor, Matrix& gradient) const;

  const MeasurementOperator& measurement() const { return measurement_; }
  const Vector& observations() const { return observations_; }
  /// Passes over the measurement operator so far (forward and adjoint each count one).
  long passes() const { return passes_; }

 private:
  const MeasurementOperator& measurement_;
  const Loss& loss_;
  const Vector& observations_;
  mutable Vector residual_;
  mutable Vector derivative_;
  mutable long passes_ = 0;
};

}  // namespace ncvx
