#pragma once
// What the spectral initializers (spectral, truncated_spectral) share: the
// operator x -> A*(v) x applied through a measurement operator (the matrix
// A*(v) is never formed), and the k largest eigenpairs of a symmetric
// operator by Lanczos (Spectra), with a subspace of max(2k + 1, k + 20).

#include <algorithm>
#include <stdexcept>
#include <string>

#include <Spectra/SymEigsSolver.h>
#include <ncvx/measurement_operator.hpp>

namespace ncvx::lanczos {

/// x -> A*(v) x, in the shape Spectra's solvers expect.
class AdjointOperator {
 public:
  using Scalar = double;
  AdjointOperator(const MeasurementOperator& measurement, const Vector& v) : measurement_(measurement), v_(v) {}
  Index rows() const { return measurement_.rows(); }
  Index cols() const { return measurement_.rows(); }
  void perform_op(const double* in, double* out) const {
    const Matrix x = Eigen::Map<const Matrix>(in, rows(), 1);
    Matrix y;
    measurement_.adjoint_apply(v_, x, y);
    Eigen::Map<Matrix>(out, rows(), 1) = y;
  }

 private:
  const MeasurementOperator& measurement_;
  const Vector& v_;
};

/// The k largest eigenpairs of the symmetric `op` (k < op.rows() - 1), largest
/// first; a failure says "the Lanczos eigensolver did not converge" and `hint`.
template <class Operator>
void largest(Operator op, Index k, Vector& values, Matrix& vectors, const std::string& hint = "") {
  const Index subspace = std::min(op.rows(), std::max<Index>(2 * k + 1, k + 20));
  Spectra::SymEigsSolver<Operator> solver(op, k, subspace);
  solver.init();
  solver.compute(Spectra::SortRule::LargestAlge, 1000, 1e-12);
  if (solver.info() != Spectra::CompInfo::Successful)
    throw std::runtime_error("the Lanczos eigensolver did not converge" + hint);
  values = solver.eigenvalues();
  vectors = solver.eigenvectors();
}

}  // namespace ncvx::lanczos
