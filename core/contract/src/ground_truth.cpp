#include "ncvx/ground_truth.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "ncvx/diagnostics.hpp"
#include "ncvx/errors.hpp"

namespace ncvx {

GroundTruth::GroundTruth(Matrix P, Vector sigma, Matrix Q)
    : left_(std::move(P)), right_(std::move(Q)), values_(std::move(sigma)) {
  if (left_.cols() != values_.size() || right_.cols() != values_.size())
    throw Error(fmt::format("a ground truth P diag(sigma) Q^T needs r columns in P and Q for r = {} "
                            "values; got {} and {}",
                            values_.size(), left_.cols(), right_.cols()));
  for (Index i = 0; i < values_.size(); ++i)
    if (!(values_(i) > 0) || (i > 0 && values_(i) > values_(i - 1)))
      throw Error("the singular values of a ground truth must be positive and non-increasing");
  symmetric_ = left_.rows() == right_.rows() && left_.cwiseAbs() == right_.cwiseAbs();
  positive_semidefinite_ = false;
  const Vector root = values_.cwiseSqrt();
  factors_ = FactorSet(left_ * root.asDiagonal(), right_ * root.asDiagonal());
}

GroundTruth GroundTruth::positive_semidefinite(Matrix P, Vector sigma) {
  GroundTruth truth(P, sigma, P);
  truth.symmetric_ = true;
  truth.positive_semidefinite_ = true;
  truth.factors_ = FactorSet(truth.left_ * truth.values_.cwiseSqrt().asDiagonal());
  return truth;
}

GroundTruth GroundTruth::from_dense(const Matrix& X, bool symmetric, Index rank) {
  if (symmetric) {
    const Eigen::SelfAdjointEigenSolver<Matrix> eigen(X);
    const Vector& lambda = eigen.eigenvalues();
    std::vector<Index> order(static_cast<std::size_t>(lambda.size()));
    std::iota(order.begin(), order.end(), Index{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](Index a, Index b) { return std::abs(lambda(a)) > std::abs(lambda(b)); });
    const double largest = lambda.size() ? std::abs(lambda(order.front())) : 0.0;
    Index keep = 0;
    for (Index i : order)
      if (std::abs(lambda(i)) > 1e-12 * largest && (rank == 0 || keep < rank)) ++keep;
    if (keep == 0) throw Error("the ground-truth matrix is zero");
    Matrix P(X.rows(), keep), Q(X.rows(), keep);
    Vector sigma(keep);
    bool positive = true;
    for (Index c = 0; c < keep; ++c) {
      const Index i = order[static_cast<std::size_t>(c)];
      P.col(c) = eigen.eigenvectors().col(i);
      sigma(c) = std::abs(lambda(i));
      Q.col(c) = lambda(i) < 0 ? Vector(-P.col(c)) : Vector(P.col(c));
      positive = positive && lambda(i) > 0;
    }
    if (positive) return positive_semidefinite(std::move(P), std::move(sigma));
    GroundTruth truth(std::move(P), std::move(sigma), std::move(Q));
    truth.symmetric_ = true;
    return truth;
  }
  const Eigen::BDCSVD<Matrix> svd(X, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Vector& singular = svd.singularValues();
  const double largest = singular.size() ? singular(0) : 0.0;
  Index keep = 0;
  while (keep < singular.size() && singular(keep) > 1e-12 * largest && (rank == 0 || keep < rank)) ++keep;
  if (keep == 0) throw Error("the ground-truth matrix is zero");
  return GroundTruth(svd.matrixU().leftCols(keep), singular.head(keep), svd.matrixV().leftCols(keep));
}

double GroundTruth::relative_error(const FactorSet& fit) const {
  if (fit.symmetric() && positive_semidefinite_) {
    // U U^T - X* = B J B^T with B = [U, U*] = Q R: |R J R^T|_F.
    const Matrix& U = fit.left();
    const Matrix& star = factors_.left();
    const Index k = U.cols(), r = star.cols();
    Matrix stacked(U.rows(), k + r);
    stacked << U, star;
    const Matrix triangular = thin_triangular(stacked);
    Vector signs(k + r);
    signs << Vector::Ones(k), -Vector::Ones(r);
    const Matrix difference = triangular * signs.asDiagonal() * triangular.transpose();
    return difference.norm() / norm();
  }
  // U V^T - P S Q^T = B C^T with B = [U, P S], C = [V, -Q].
  const Matrix& U = fit.left();
  const Matrix& V = fit.right();
  const Index k = U.cols(), r = rank();
  Matrix B(U.rows(), k + r), C(V.rows(), k + r);
  B << U, left_ * values_.asDiagonal();
  C << V, -right_;
  const Matrix difference = thin_triangular(B) * thin_triangular(C).transpose();
  return difference.norm() / norm();
}

Matrix GroundTruth::dense() const { return left_ * values_.asDiagonal() * right_.transpose(); }

}  // namespace ncvx
