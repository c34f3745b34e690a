// Problem instances: the spectrum, X* = U* U*^T, and the test error.

#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("problem: sigma from 1 to 1/kappa, linear or geometric") {
  ProblemSpec spec;
  spec.rank = 3;
  spec.condition_number = 4;
  const Vector linear = spectrum_of(spec);
  CHECK(linear(0) == 1.0);
  CHECK(linear(1) == doctest::Approx(0.625));
  CHECK(linear(2) == doctest::Approx(0.25));
  spec.spectrum = "geometric";
  const Vector geometric = spectrum_of(spec);
  CHECK(geometric(1) == doctest::Approx(0.5));
  CHECK(geometric(2) == doctest::Approx(0.25));
}

TEST_CASE("problem: X* has orthonormal eigenvectors, y = A(X*), test error is exact") {
  ProblemSpec spec;
  spec.dimension = 15;
  spec.rank = 2;
  spec.condition_number = 3;
  const auto A = test::sample_operator("gaussian_sensing", 15, 5, {{"m", std::int64_t{40}}});
  const ProblemInstance instance(spec, A, 5);
  const Matrix& Q = instance.eigenvectors();
  CHECK((Q.transpose() * Q - Matrix::Identity(2, 2)).norm() < 1e-14);
  const Matrix Xstar = Q * instance.eigenvalues().asDiagonal() * Q.transpose();
  CHECK((instance.ground_truth_factor() * instance.ground_truth_factor().transpose() - Xstar).norm() < 1e-14);
  Vector y;
  A->forward(Xstar, y);
  CHECK((y - instance.observations()).norm() < 1e-12);

  RandomStream random(1, "test");
  for (Index k : {1, 2, 5, 20}) {
    Matrix U(15, k);
    random.fill_normal(U, 0.1);
    const double dense = (U * U.transpose() - Xstar).norm() / Xstar.norm();
    CHECK(instance.test_error(U) == doctest::Approx(dense).epsilon(1e-12));
  }
  // No cancellation: an error of 1e-14 relative is resolved.
  Matrix close = instance.ground_truth_factor();
  close(0, 0) += 1e-14;
  const double tiny = instance.test_error(close);
  CHECK(tiny > 1e-16);
  CHECK(tiny < 1e-13);
  CHECK(instance.test_error(instance.ground_truth_factor()) < 1e-15);
}

TEST_CASE("problem: noise is added with the requested standard deviation") {
  ProblemSpec spec;
  spec.dimension = 10;
  spec.noise = 0.1;
  const auto A = test::sample_operator("gaussian_sensing", 10, 5, {{"m", std::int64_t{4000}}});
  const ProblemInstance noisy(spec, A, 3);
  spec.noise = 0;
  const ProblemInstance clean(spec, A, 3);
  const Vector difference = noisy.observations() - clean.observations();
  CHECK(std::sqrt(difference.squaredNorm() / 4000) == doctest::Approx(0.1).epsilon(0.05));
}
