#pragma once
// A linear measurement operator A from symmetric n x n matrices to R^m.
//
//   A(X)_i = <B_i, X> = trace(B_i X),   i = 1..m,  B_i symmetric,
//   A*(v)  = sum_i v_i B_i               (the adjoint: <A(X), v> = <X, A*(v)>).
//
// Any normalization (the 1/sqrt(m) of Gaussian sensing, the 1/sqrt(p) of
// completion) is part of B_i, so that E[A*A] = identity for the built-in models.
//
// The operator is matrix-free, in the spirit of Spectra's operators: the core
// never asks for n x n matrices where the model can avoid them. Three
// operations are required:
//
//   forward(X)                 A(X) for a dense symmetric X (reference path),
//   forward_factored(U)        A(U U^T) from the factor U (n x k),
//   adjoint_apply(v, M)        A*(v) M for an n x k block M.
//
// `adjoint(v)` forms A*(v) as a dense matrix (spectral methods); its default
// applies A*(v) to the identity, which models may override.
//
// `evaluate` is what the objective calls every iteration: for factors
// U_1..U_K sharing this operator and the observations y,
//
//   r_j = A(U_j U_j^T) - y,   value_j = L(r_j),   A*(l'(r_j)) U_j  (when asked).
//
// The default does it per factor with forward_factored, the loss and
// adjoint_apply (two passes over the operator). A model whose storage is
// large overrides it with one pass for all K factors (the residual of
// measurement i is known right after its row is read; see gaussian_sensing).
// Contract: factor j's results must not depend on the other factors, so that
// K runs evaluated together (lockstep) reproduce single runs bit for bit.
//
// Contract: all four are pure functions of their inputs (no hidden state that
// changes the result), deterministic, and safe to call concurrently from
// several threads on one operator.
//
//   ncvx::Vector y(A.measurements());
//   A.forward_factored(U_star, y);          // y = A(X*)
//   ncvx::Matrix G(n, k);
//   A.adjoint_apply(residual, U, G);        // G = A*(r) U, the gradient of 1/4|A(UU^T)-y|^2

#include <span>

#include "ncvx/types.hpp"

namespace ncvx {

class Loss;

/// One factor to evaluate in MeasurementOperator::evaluate.
struct FactorEvaluation {
  const Matrix* factor = nullptr;            ///< U_j (n x k_j)
  Matrix* adjoint_times_factor = nullptr;    ///< out: A*(l'(r_j)) U_j; nullptr: value only
  double value = 0.0;                        ///< out: L(r_j) = sum_i l(r_ji)
};

class MeasurementOperator {
 public:
  virtual ~MeasurementOperator();

  /// n: the side of the symmetric matrices measured.
  virtual Index dimension() const = 0;
  /// m: the number of measurements.
  virtual Index measurements() const = 0;

  /// out = A(X) for symmetric X (n x n); out has size m on return.
  virtual void forward(const Matrix& X, Vector& out) const = 0;
  /// out = A(U U^T) for U (n x k); out has size m on return.
  virtual void forward_factored(const Matrix& U, Vector& out) const;
  /// out = A*(v) M for v in R^m, M (n x k); out is n x k on return.
  virtual void adjoint_apply(const Vector& v, const Matrix& M, Matrix& out) const = 0;
  /// A*(v) as a dense symmetric n x n matrix.
  virtual Matrix adjoint(const Vector& v) const;
  /// Loss values (and A*(l'(r)) U products) of several factors; see above.
  virtual void evaluate(const Vector& observations, const Loss& loss,
                        std::span<FactorEvaluation> items) const;
};

}  // namespace ncvx
