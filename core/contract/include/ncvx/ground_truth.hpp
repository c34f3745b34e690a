#pragma once
// A ground truth X* given by factors, the way a problem plugin returns it:
//
//   X* = P diag(sigma) Q^T,   P (n1 x r), Q (n2 x r) with orthonormal columns,
//                             sigma_1 >= ... >= sigma_r > 0,
//
// its singular value decomposition (compact). A symmetric positive
// semidefinite X* has Q = P (its eigenvectors); `positive_semidefinite` says
// so, and then X* = U* U*^T with U* = P diag(sqrt(sigma)). A symmetric
// indefinite X* has Q = P diag(sign(lambda)).
//
// The relative error of a fit X = U U^T or U V^T,
//
//   test_error = |X - X*|_F / |X*|_F,   |X*|_F = |sigma|,
//
// is computed without forming n1 x n2 matrices and without cancellation:
// X - X* = B C^T with B = [U, P diag(sigma)], C = [V, -Q]; with the QR
// factorizations B = Q_B R_B, C = Q_C R_C, |B C^T|_F = |R_B R_C^T|_F, at a
// cost O((n1 + n2)(k + r)^2). (Symmetric fit of a PSD X*: U U^T - X* =
// B J B^T with B = [U, U*], J = diag(I, -I), and |R J R^T|_F.)

#include "ncvx/factor_set.hpp"
#include "ncvx/matrix_shape.hpp"

namespace ncvx {

class GroundTruth {
 public:
  GroundTruth() = default;
  /// X* = P diag(sigma) Q^T. sigma must be positive and non-increasing; P and Q orthonormal.
  GroundTruth(Matrix P, Vector sigma, Matrix Q);
  /// Symmetric positive semidefinite X* = P diag(sigma) P^T.
  static GroundTruth positive_semidefinite(Matrix P, Vector sigma);
  /// The compact SVD of a dense X (symmetric X: its eigendecomposition), keeping
  /// the `rank` largest values (0: every value above a relative 1e-12).
  static GroundTruth from_dense(const Matrix& X, bool symmetric, Index rank);

  Index rows() const { return left_.rows(); }
  Index cols() const { return right_.rows(); }
  Index rank() const { return values_.size(); }
  bool symmetric() const { return symmetric_; }
  bool positive_semidefinite() const { return positive_semidefinite_; }

  const Matrix& left() const { return left_; }     ///< P (eigenvectors V_X when symmetric PSD)
  const Matrix& right() const { return right_; }   ///< Q
  const Vector& values() const { return values_; } ///< sigma, non-increasing

  /// U* = P diag(sqrt(sigma)) (and V* = Q diag(sqrt(sigma))): a factor set
  /// with X* = U* U*^T (PSD) or U* V*^T.
  const FactorSet& factors() const { return factors_; }
  /// |X*|_F
  double norm() const { return values_.norm(); }
  /// |X - X*|_F / |X*|_F for the factor set's X.
  double relative_error(const FactorSet& fit) const;
  /// X* as a dense matrix (small problems, tests).
  Matrix dense() const;

 private:
  Matrix left_, right_;
  Vector values_;
  FactorSet factors_;
  bool symmetric_ = false;
  bool positive_semidefinite_ = false;
};

}  // namespace ncvx
