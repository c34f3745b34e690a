#include "dense_solvers.hpp"

#include <algorithm>
#include <stdexcept>

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <Spectra/MatOp/DenseSymMatProd.h>
#include <Spectra/SymEigsSolver.h>

namespace ncvx::solvers {

SymmetricEigen symmetric_eigen(const Matrix& M) {
  const Eigen::SelfAdjointEigenSolver<Matrix> eigen(M);
  return {eigen.eigenvalues(), eigen.eigenvectors(), eigen.info() == Eigen::Success};
}

ThinSvd thin_svd(const Matrix& M) {
  const Eigen::BDCSVD<Matrix> svd(M, Eigen::ComputeThinU | Eigen::ComputeThinV);
  return {svd.singularValues(), svd.matrixU(), svd.matrixV()};
}

void DenseSymmetric::apply(const double* in, double* out) const {
  Spectra::DenseSymMatProd<double>(M_).perform_op(in, out);
}

namespace {

/// A SymmetricOperator in the shape Spectra's solvers expect.
class SpectraOperator {
 public:
  using Scalar = double;
  explicit SpectraOperator(const SymmetricOperator& op) : op_(op) {}
  Index rows() const { return op_.size(); }
  Index cols() const { return op_.size(); }
  void perform_op(const double* in, double* out) const { op_.apply(in, out); }

 private:
  const SymmetricOperator& op_;
};

}  // namespace

void largest(const SymmetricOperator& op, Index k, Vector& values, Matrix& vectors, const std::string& hint) {
  SpectraOperator wrapped(op);
  const Index subspace = std::min(wrapped.rows(), std::max<Index>(2 * k + 1, k + 20));
  Spectra::SymEigsSolver<SpectraOperator> solver(wrapped, k, subspace);
  solver.init();
  solver.compute(Spectra::SortRule::LargestAlge, 1000, 1e-12);
  if (solver.info() != Spectra::CompInfo::Successful)
    throw std::runtime_error("the Lanczos eigensolver did not converge" + hint);
  values = solver.eigenvalues();
  vectors = solver.eigenvectors();
}

}  // namespace ncvx::solvers
