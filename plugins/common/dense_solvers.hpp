#pragma once
// The eigen- and singular value solvers several built-in plugins use
// (spectral, truncated_spectral, svp, nuclear_norm, mirror_descent), compiled
// once into a small static library (ncvx_plugin_solvers, dense_solvers.cpp)
// that those plugins link, instead of each plugin instantiating Eigen's and
// Spectra's solver templates again: the same code, so the same numbers, at a
// fraction of the build time. Each plugin is still its own shared library.
//
//   symmetric_eigen   all eigenpairs of a symmetric matrix, ascending
//                     (Eigen::SelfAdjointEigenSolver)
//   thin_svd          the thin SVD M = U diag(sigma) V^T, sigma decreasing
//                     (Eigen::BDCSVD)
//   largest           the k largest eigenpairs of a symmetric operator by
//                     Lanczos (Spectra::SymEigsSolver), subspace max(2k + 1, k + 20)

#include <string>

#include <ncvx/types.hpp>

namespace ncvx::solvers {

struct SymmetricEigen {
  Vector values;   ///< ascending
  Matrix vectors;  ///< the eigenvectors, by column
  bool converged;  ///< false when Eigen reports a failure (a NaN in M, say)
};

/// All eigenpairs of the symmetric M (its lower triangle is read).
SymmetricEigen symmetric_eigen(const Matrix& M);

struct ThinSvd {
  Vector singular;  ///< decreasing
  Matrix U, V;      ///< thin: min(n1, n2) columns
};

ThinSvd thin_svd(const Matrix& M);

/// A symmetric linear operator x -> S x on vectors of `size()`.
class SymmetricOperator {
 public:
  virtual ~SymmetricOperator() = default;
  virtual Index size() const = 0;
  virtual void apply(const double* in, double* out) const = 0;
};

/// S = M for a formed symmetric matrix (its lower triangle is read, as
/// Spectra's DenseSymMatProd does).
class DenseSymmetric final : public SymmetricOperator {
 public:
  explicit DenseSymmetric(const Matrix& M) : M_(M) {}
  Index size() const override { return M_.rows(); }
  void apply(const double* in, double* out) const override;

 private:
  const Matrix& M_;
};

/// The k largest eigenpairs of `op` (k < op.size() - 1), largest first; a
/// failure says "the Lanczos eigensolver did not converge" and `hint`.
void largest(const SymmetricOperator& op, Index k, Vector& values, Matrix& vectors, const std::string& hint = "");

}  // namespace ncvx::solvers
