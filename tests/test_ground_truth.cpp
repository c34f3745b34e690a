// Ground truths given by factors: the exact, cancellation-free test error for
// X = U U^T and X = U V^T, and factoring a dense matrix.

#include <doctest/doctest.h>

#include <ncvx/ground_truth.hpp>

#include "support.hpp"

using namespace ncvx;

namespace {
Matrix orthonormal(Index rows, Index r, RandomStream& random) {
  Matrix G(rows, r);
  random.fill_normal(G);
  Eigen::HouseholderQR<Matrix> qr(G);
  return qr.householderQ() * Matrix::Identity(rows, r);
}
}  // namespace

TEST_CASE("ground truth: PSD X* = P diag(sigma) P^T, test error exact for U U^T and U V^T") {
  RandomStream random(5, "test");
  const Matrix P = orthonormal(15, 2, random);
  Vector sigma(2);
  sigma << 1.0, 0.3;
  const GroundTruth truth = GroundTruth::positive_semidefinite(P, sigma);
  CHECK(truth.positive_semidefinite());
  CHECK(truth.symmetric());
  const Matrix Xstar = truth.dense();
  CHECK((truth.factors().product() - Xstar).norm() < 1e-14);
  CHECK(truth.norm() == doctest::Approx(Xstar.norm()).epsilon(1e-14));
  for (Index k : {1, 2, 5, 20}) {
    CAPTURE(k);
    Matrix U(15, k), V(15, k);
    random.fill_normal(U, 0.1);
    random.fill_normal(V, 0.1);
    CHECK(truth.relative_error(FactorSet(U)) ==
          doctest::Approx((U * U.transpose() - Xstar).norm() / Xstar.norm()).epsilon(1e-12));
    CHECK(truth.relative_error(FactorSet(U, V)) ==
          doctest::Approx((U * V.transpose() - Xstar).norm() / Xstar.norm()).epsilon(1e-12));
  }
  // No cancellation: an error of 1e-14 relative is resolved, in both formulas.
  Matrix close = truth.factors().left();
  close(0, 0) += 1e-14;
  for (const FactorSet& fit : {FactorSet(close), FactorSet(close, truth.factors().left())}) {
    const double tiny = truth.relative_error(fit);
    CHECK(tiny > 1e-16);
    CHECK(tiny < 1e-13);
  }
  CHECK(truth.relative_error(truth.factors()) < 1e-15);
}

TEST_CASE("ground truth: rectangular X* = P diag(sigma) Q^T, and a dense matrix factored") {
  RandomStream random(7, "test");
  const Matrix P = orthonormal(9, 3, random), Q = orthonormal(6, 3, random);
  Vector sigma(3);
  sigma << 2.0, 1.0, 0.5;
  const GroundTruth truth(P, sigma, Q);
  CHECK_FALSE(truth.positive_semidefinite());
  const Matrix Xstar = truth.dense();
  Matrix U(9, 4), V(6, 4);
  random.fill_normal(U);
  random.fill_normal(V);
  CHECK(truth.relative_error(FactorSet(U, V)) ==
        doctest::Approx((U * V.transpose() - Xstar).norm() / Xstar.norm()).epsilon(1e-12));
  CHECK(truth.relative_error(truth.factors()) < 1e-15);

  // from_dense: the SVD, truncated to a rank on request.
  const GroundTruth read = GroundTruth::from_dense(Xstar, false, 0);
  CHECK(read.rank() == 3);
  CHECK((read.values() - sigma).norm() < 1e-12);
  CHECK(read.relative_error(truth.factors()) < 1e-12);
  const GroundTruth truncated = GroundTruth::from_dense(Xstar, false, 2);
  CHECK(truncated.rank() == 2);
  CHECK(truncated.relative_error(truth.factors()) ==
        doctest::Approx(0.5 / truncated.norm()).epsilon(1e-10));  // the dropped sigma_3

  // A symmetric indefinite matrix: |lambda| as singular values, signs in Q.
  Matrix S = P * Vector::LinSpaced(3, 1.0, -0.5).asDiagonal() * P.transpose();
  const GroundTruth indefinite = GroundTruth::from_dense(S, true, 0);
  CHECK_FALSE(indefinite.positive_semidefinite());
  CHECK((indefinite.dense() - S).norm() < 1e-12);
  // A PSD one is recognized.
  CHECK(GroundTruth::from_dense(Xstar.topRows(6) * Xstar.topRows(6).transpose(), true, 0).positive_semidefinite());
}

TEST_CASE("ground truth: bad singular values are refused") {
  RandomStream random(1, "test");
  const Matrix P = orthonormal(5, 2, random);
  Vector increasing(2);
  increasing << 0.5, 1.0;
  CHECK_THROWS_AS(GroundTruth(P, increasing, P), Error);
  Vector negative(2);
  negative << 1.0, -1.0;
  CHECK_THROWS_AS(GroundTruth::positive_semidefinite(P, negative), Error);
}
