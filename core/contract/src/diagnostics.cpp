#include "ncvx/diagnostics.hpp"

#include <cmath>

namespace ncvx {

double spectral_norm(const Matrix& matrix) {
  if (matrix.size() == 0) return 0.0;
  // The largest eigenvalue of the smaller Gram matrix.
  const Matrix gram = matrix.cols() <= matrix.rows() ? Matrix(matrix.transpose() * matrix)
                                                     : Matrix(matrix * matrix.transpose());
  const Eigen::SelfAdjointEigenSolver<Matrix> solver(gram, Eigen::EigenvaluesOnly);
  return std::sqrt(std::max(0.0, solver.eigenvalues().maxCoeff()));
}

SignalNoise signal_noise(const Matrix& eigenvectors, const Matrix& factor, bool with_noise,
                         bool with_parts) {
  SignalNoise result;
  const Index r = eigenvectors.cols(), k = factor.cols();
  const Matrix projected = eigenvectors.transpose() * factor;  // V_X^T U, r x k
  Eigen::JacobiSVD<Matrix> svd(projected, Eigen::ComputeThinV);
  const Vector& singular = svd.singularValues();
  result.signal = k >= r ? singular(r - 1) : 0.0;
  const Matrix W = svd.matrixV();  // k x min(r, k)
  const Matrix signal_columns = factor * W;  // U W, n x min(r, k)

  // Alignment: |(I - V_X V_X^T) Q| with Q an orthonormal basis of span(U W).
  Eigen::HouseholderQR<Matrix> qr(signal_columns);
  const Matrix basis = qr.householderQ() * Matrix::Identity(factor.rows(), signal_columns.cols());
  const Matrix outside = basis - eigenvectors * (eigenvectors.transpose() * basis);
  result.alignment = std::min(1.0, spectral_norm(outside));

  if (with_noise || with_parts) {
    const Matrix noise_part = factor - signal_columns * W.transpose();  // U W_perp W_perp^T
    result.noise = spectral_norm(noise_part);
    if (with_parts) {
      result.signal_part = signal_columns * W.transpose();
      result.noise_part = noise_part;
    }
  }
  return result;
}

namespace {
double entropy_rank(const Vector& values) {
  const double total = values.sum();
  if (!(total > 0)) return 0.0;
  double entropy = 0;
  for (Index i = 0; i < values.size(); ++i) {
    const double p = values(i) / total;
    if (p > 0) entropy -= p * std::log(p);
  }
  return std::exp(entropy);
}

}  // namespace

Matrix thin_triangular(const Matrix& B) {
  if (B.rows() < B.cols()) return B;
  Eigen::HouseholderQR<Matrix> qr(B);
  return qr.matrixQR().topRows(B.cols()).triangularView<Eigen::Upper>();
}

double effective_rank(const FactorSet& factors) {
  if (factors.symmetric()) return effective_rank(factors.left());
  const Matrix core = thin_triangular(factors.left()) * thin_triangular(factors.right()).transpose();
  const Eigen::JacobiSVD<Matrix> svd(core);
  return entropy_rank(svd.singularValues());
}

double effective_rank(const Matrix& factor) {
  // Singular values of U U^T are the eigenvalues of U^T U (or U U^T).
  const Matrix gram = factor.cols() <= factor.rows() ? Matrix(factor.transpose() * factor)
                                                     : Matrix(factor * factor.transpose());
  const Eigen::SelfAdjointEigenSolver<Matrix> solver(gram, Eigen::EigenvaluesOnly);
  return entropy_rank(solver.eigenvalues().cwiseMax(0.0));
}

}  // namespace ncvx
