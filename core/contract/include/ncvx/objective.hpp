#pragma once
// The objective the core composes from a measurement operator A, a loss l
// and a factorization:
//
//   f(F)  = sum_i l(r_i),   r = A(X(F)) - y,   X(F) = U U^T or U V^T,
//
//   symmetric   grad_U f = 2 A*(l'(r)) U                 (B_i symmetric)
//   asymmetric  grad_U f = A*(l'(r)) V,   grad_V f = A*(l'(r))^T U.
//
// Any other factorization (factorization.hpp) is evaluated through its
// product X = L R^T: the operator evaluates the set {L, R} (one pass, the
// adjoint products G R and G^T L), and the factorization's chain rule gives
// every block's gradient.
//
// With the squared loss l(r) = r^2/4 this is f = 1/4 |A(X) - y|^2 and, for
// X = U U^T, grad f(U) = A*(A(U U^T) - y) U. Both go through
// MeasurementOperator::evaluate: one pass over A for a value, one (fused) or
// two passes for a value with gradient, depending on the model.
//
// When runs share an instance, their objectives can be joined to a shared
// evaluation (the study's Lockstep): each evaluation then waits for the
// other runs' and one pass over A serves them all, with bit-identical results.
//
// Methods that work on X itself (projected gradient, singular value
// thresholding, mirror descent) use the gradient in X,
//
//   grad_X f = A*(l'(r)),   r = A(X) - y,
//
// through value_and_gradient_matrix (a dense n1 x n2 matrix: small problems),
// and methods whose step is relative to the size of the data use scale():
// sigma_1(A*(y)), the top singular value of the spectral estimate, which for
// the built-in models (E[A*A] = identity, y = A(X*)) estimates sigma_1(X*).
//
// One Objective serves one run (one thread); the operator and the loss it
// refers to may be shared. Every evaluation first checks that the factors
// (or X) fit the operator's shape, so a wrong shape is an error that names
// both, never a read outside an array.

#include "ncvx/factorization.hpp"
#include "ncvx/loss.hpp"
#include "ncvx/measurement_operator.hpp"

namespace ncvx {

/// Where the evaluations of joined objectives go: evaluate(item) returns once
/// `item` (value, and adjoint products when asked) has been computed, possibly
/// in one pass over A together with other runs' items.
class SharedEvaluation {
 public:
  virtual ~SharedEvaluation() = default;
  virtual void evaluate(FactorEvaluation& item) = 0;
};

class Objective {
 public:
  /// `factorization` null or direct: the factors are U U^T's or U V^T's set.
  Objective(const MeasurementOperator& measurement, const Loss& loss, const Vector& observations,
            const Factorization* factorization = nullptr);

  double value(const FactorSet& factors) const;
  /// Returns f(F) and writes grad f(F) (the shape of F) into `gradient`.
  double value_and_gradient(const FactorSet& factors, FactorSet& gradient) const;

  /// Returns f at the dense X (n1 x n2) and writes grad_X f = A*(l'(r)) into
  /// `gradient`. Counts one evaluation; does not go through a lockstep.
  double value_and_gradient_matrix(const Matrix& X, Matrix& gradient) const;
  /// f at the dense X (one forward pass; counts one evaluation).
  double value_matrix(const Matrix& X) const;

  /// sigma_1(A*(y)) by power iteration (computed once, then cached); the
  /// scale that relative step sizes divide by. 1 when A*(y) = 0.
  double scale() const;

  const MeasurementOperator& measurement() const { return measurement_; }
  const Loss& loss() const { return loss_; }
  const Vector& observations() const { return observations_; }
  /// The factorization of general factor sets (nullptr: U U^T or U V^T).
  const Factorization* factorization() const { return factorization_; }
  /// Evaluations so far (value and value_and_gradient each count one).
  long evaluations() const { return evaluations_; }

  /// Evaluations go through `shared` (with other runs) from now on; nullptr
  /// detaches.
  void join(SharedEvaluation* shared) { shared_ = shared; }

 private:
  void evaluate(FactorEvaluation& item) const;
  /// value_and_gradient of a general set through its product.
  double evaluate_general(const FactorSet& blocks, FactorSet* gradient) const;
  /// Refuse (Error) factors or an X that do not fit the operator, before any
  /// plugin reads them: an optimizer that resized a factor, or a caller's slip.
  void check(const FactorSet& factors) const;
  void check(const Matrix& X) const;

  const MeasurementOperator& measurement_;
  const Loss& loss_;
  const Vector& observations_;
  const Factorization* factorization_ = nullptr;  // general sets only
  SharedEvaluation* shared_ = nullptr;
  mutable long evaluations_ = 0;
  mutable double scale_ = 0.0;  // 0: not computed yet
};

}  // namespace ncvx
