#pragma once
// A linear measurement operator A from n1 x n2 matrices to R^m.
//
//   A(X)_i = <B_i, X> = trace(B_i^T X),   i = 1..m,
//   A*(v)  = sum_i v_i B_i                (the adjoint: <A(X), v> = <X, A*(v)>),
//
// with B_i symmetric when the operator is symmetric (it measures symmetric
// n x n matrices; then A(X) = A((X + X^T)/2) for any square X). Any
// normalization (the 1/sqrt(m) of Gaussian sensing, the 1/sqrt(p) of
// completion) is part of B_i, so that E[A*A] = identity for the built-in
// models.
//
// The operator is matrix-free, in the spirit of Spectra's operators: the core
// never asks for n1 x n2 matrices where the model can avoid them. Required:
//
//   shape()                         n1, n2 and whether the B_i are symmetric,
//   forward(X, out)                 A(X) for a dense n1 x n2 X (reference path),
//   adjoint_apply(v, M, out)        A*(v) M for an n2 x k block M (n1 x k out).
//
// Optional, with defaults built on the required ones:
//
//   adjoint_transpose_apply(v, M)   A*(v)^T M for an n1 x k block (n2 x k out);
//                                   a symmetric operator needs nothing more,
//   forward_factored(F, out)        A(U U^T) or A(U V^T) from the factors,
//   forward_entries(E, out)         A(X) for a sparse X given by its entries
//                                   (the observations of a data problem),
//   adjoint(v)                      A*(v) as a dense n1 x n2 matrix (spectral methods),
//   evaluate                        below.
//
// `evaluate` is what the objective calls every iteration: for factor sets
// F_1..F_K sharing this operator and the observations y,
//
//   r_j = A(X(F_j)) - y,   value_j = L(r_j),   and when asked the adjoint products
//   symmetric F = {U}:     A*(l'(r_j)) U
//   asymmetric F = {U, V}: { A*(l'(r_j)) V,  A*(l'(r_j))^T U }
//
// from which the objective forms the gradient (objective.hpp). The default
// does it per factor set with forward_factored, the loss and the adjoint
// products (two passes over the operator). A model whose storage is large
// overrides it with one pass for all K sets (the residual of measurement i is
// known right after its row is read; see gaussian_sensing).
// Contract: set j's results must not depend on the other sets, so that K
// runs evaluated together (lockstep) reproduce single runs bit for bit.
//
// Contract: every member is a pure function of its inputs (no hidden state
// that changes the result), deterministic, and safe to call concurrently
// from several threads on one operator.
//
//   ncvx::Vector y(A.measurements());
//   A.forward_factored(ground_truth.factors(), y);   // y = A(X*)
//   ncvx::Matrix G;
//   A.adjoint_apply(residual, U, G);                 // G = A*(r) U, the gradient of 1/4|A(UU^T)-y|^2

#include <span>

#include "ncvx/factor_set.hpp"
#include "ncvx/matrix_entries.hpp"
#include "ncvx/matrix_shape.hpp"

namespace ncvx {

class Loss;

/// One factor set to evaluate in MeasurementOperator::evaluate.
struct FactorEvaluation {
  const FactorSet* factors = nullptr;      ///< F_j
  FactorSet* adjoint_products = nullptr;   ///< out, resized to F_j's shape; nullptr: value only
  double value = 0.0;                      ///< out: L(r_j) = sum_i l(r_ji)
};

class MeasurementOperator {
 public:
  virtual ~MeasurementOperator();

  virtual MatrixShape shape() const = 0;
  /// m: the number of measurements.
  virtual Index measurements() const = 0;

  /// out = A(X) for X (n1 x n2; symmetric for a symmetric operator); out has size m on return.
  virtual void forward(const Matrix& X, Vector& out) const = 0;
  /// out = A*(v) M for v in R^m, M (n2 x k); out is n1 x k on return.
  virtual void adjoint_apply(const Vector& v, const Matrix& M, Matrix& out) const = 0;
  /// out = A*(v)^T M for M (n1 x k); out is n2 x k. Default: adjoint_apply when
  /// symmetric, else through the dense adjoint(v).
  virtual void adjoint_transpose_apply(const Vector& v, const Matrix& M, Matrix& out) const;
  /// out = A(U U^T) or A(U V^T). Default: forms X.
  virtual void forward_factored(const FactorSet& factors, Vector& out) const;
  /// out = A(X) for X zero except at the given entries (symmetric: (i, j) and
  /// (j, i)). Default: forms X densely (refused above 10^8 entries).
  virtual void forward_entries(const MatrixEntries& entries, Vector& out) const;
  /// A*(v) as a dense n1 x n2 matrix. Default: A*(v) applied to the identity.
  virtual Matrix adjoint(const Vector& v) const;
  /// Loss values (and adjoint products) of several factor sets; see above.
  virtual void evaluate(const Vector& observations, const Loss& loss,
                        std::span<FactorEvaluation> items) const;

  // Conveniences.
  Index rows() const { return shape().rows; }
  Index cols() const { return shape().cols; }
  bool symmetric() const { return shape().symmetric; }
};

}  // namespace ncvx
