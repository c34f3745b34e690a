#pragma once
// Iterates kept as a dense matrix X, shared by the optimizers that work on X
// itself (svp, nuclear_norm, mirror_descent; their decompositions come from
// dense_solvers.hpp, compiled once). The run loop and the metrics see a factor set, so
// after each step X is written back as factors of width k:
//
//   X = U U^T   (a symmetric fit: X must be positive semidefinite)
//               U = Q_k diag(sqrt(max(lambda_k, 0))) from the k largest eigenpairs,
//   X = U V^T   U = P_k diag(sqrt(sigma_k)), V = Q_k diag(sqrt(sigma_k)) from the
//               k largest singular triplets,
//
// exact when rank X <= k. And the spectral maps the methods apply:
//
//   project     the best rank-k approximation (positive semidefinite when
//               symmetric): P_k(Y), singular value projection
//   threshold   the proximal map of tau |X|_* (of tau trace(X) on the
//               positive semidefinite cone when symmetric):
//               sigma_i -> max(sigma_i - tau, 0), singular value thresholding
//
// and a proximal gradient step with backtracking (Beck & Teboulle 2009): from
// Z with gradient G, X = map(Z - mu G), and while
//
//   f(X) > f(Z) + <G, X - Z> + |X - Z|_F^2 / (2 mu)
//
// mu halves (and stays halved: the step only shrinks). A fixed step is safe
// only below 1/L, L = |A|^2 times the loss's curvature, which for few
// measurements is far above the E A*A = identity value; backtracking finds
// the step without knowing L.
//
// Dense eigen/singular value decompositions: O(n^3) per step, for small n.

#include <algorithm>
#include <cmath>

#include <ncvx/factor_set.hpp>
#include <ncvx/objective.hpp>

#include "dense_solvers.hpp"

namespace ncvx::matrix_iterate {

/// The eigendecomposition of the symmetric part of Y, in decreasing order.
inline void eigen_decreasing(const Matrix& Y, Vector& values, Matrix& vectors) {
  const Matrix symmetric_part = 0.5 * (Y + Y.transpose());
  const solvers::SymmetricEigen eigen = solvers::symmetric_eigen(symmetric_part);
  values = eigen.values.reverse();
  vectors = eigen.vectors.rowwise().reverse();
}

/// Applies `map` to the spectrum of Y (eigenvalues of its symmetric part when
/// `symmetric`, else singular values), keeps the `width` largest results and
/// writes X (dense) and its factors. `map` must keep the order of the values.
template <class Map>
void spectral_map(const Matrix& Y, bool symmetric, Index width, Map map, Matrix& X, FactorSet& factors) {
  const Index rows = Y.rows(), cols = Y.cols();
  if (symmetric) {
    Vector values;
    Matrix vectors;
    eigen_decreasing(Y, values, vectors);
    const Index k = std::min(width, rows);
    Vector kept = Vector::Zero(k);
    for (Index i = 0; i < k; ++i) kept(i) = std::max(0.0, map(values(i)));
    Matrix U = Matrix::Zero(rows, width);
    U.leftCols(k) = vectors.leftCols(k) * kept.cwiseSqrt().asDiagonal();
    X = U * U.transpose();
    factors = FactorSet(std::move(U));
    return;
  }
  const solvers::ThinSvd svd = solvers::thin_svd(Y);
  const Index k = std::min({width, rows, cols});
  Vector kept = Vector::Zero(k);
  for (Index i = 0; i < k; ++i) kept(i) = std::max(0.0, map(svd.singular(i)));
  Matrix U = Matrix::Zero(rows, width), V = Matrix::Zero(cols, width);
  U.leftCols(k) = svd.U.leftCols(k) * kept.cwiseSqrt().asDiagonal();
  V.leftCols(k) = svd.V.leftCols(k) * kept.cwiseSqrt().asDiagonal();
  X = U * V.transpose();
  factors = FactorSet(std::move(U), std::move(V));
}

/// X = P_k(Y): the best rank-`width` (positive semidefinite when symmetric) approximation.
inline void project(const Matrix& Y, bool symmetric, Index width, Matrix& X, FactorSet& factors) {
  spectral_map(Y, symmetric, width, [](double value) { return value; }, X, factors);
}

/// X = the singular value thresholding of Y at tau, truncated to `width` values.
inline void threshold(const Matrix& Y, bool symmetric, Index width, double tau, Matrix& X, FactorSet& factors) {
  spectral_map(Y, symmetric, width, [tau](double value) { return value - tau; }, X, factors);
}

/// X = map(Z - mu G, mu) with mu backtracked as above (at most 60 halvings;
/// `backtracking` false: one step at mu). `map(Y, mu, X, factors)` writes X
/// and its factors. Returns f(X).
template <class Map>
double proximal_step(const Objective& objective, const Matrix& Z, double value_at_Z, const Matrix& gradient,
                     double& mu, bool backtracking, Map map, Matrix& X, FactorSet& factors) {
  for (int halving = 0;; ++halving) {
    map(Z - mu * gradient, mu, X, factors);
    if (!backtracking) return std::nan("");
    const double value = objective.value_matrix(X);
    const Matrix step = X - Z;
    if (halving == 60 ||
        value <= value_at_Z + gradient.cwiseProduct(step).sum() + step.squaredNorm() / (2.0 * mu) + 1e-15 * std::abs(value_at_Z))
      return value;
    mu *= 0.5;
  }
}

}  // namespace ncvx::matrix_iterate
