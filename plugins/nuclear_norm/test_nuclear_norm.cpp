#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("nuclear_norm: a step is the singular value thresholding of X - mu grad_X f at mu lambda") {
  const auto A = test::sample_operator("gaussian_sensing", 8, 2, {{"m", std::int64_t{60}}});
  RandomStream random(5, "test");
  Matrix U(8, 8);
  random.fill_normal(U, 0.1);
  const test::NoiseObjective problem(A, random);
  const Objective& f = problem.f;
  Matrix gradient;
  const Matrix X = U * U.transpose();
  f.value_and_gradient_matrix(X, gradient);
  const Matrix Y = X - 0.5 * gradient;
  Eigen::SelfAdjointEigenSolver<Matrix> eigen(0.5 * (Y + Y.transpose()));
  const Vector shrunk = (eigen.eigenvalues().array() - 0.5 * 0.2).max(0.0).matrix();
  const Matrix expected = eigen.eigenvectors() * shrunk.asDiagonal() * eigen.eigenvectors().transpose();
  FactorSet F(U);
  test::optimizer("nuclear_norm", {{"step", 0.5}, {"weight", 0.2}, {"continuation", 1.0}, {"backtracking", false}})
      ->step(f, F, 0);
  CHECK((F.product() - expected).norm() <= 1e-10 * expected.norm());
}

TEST_CASE("nuclear_norm: exact recovery needs enough measurements (n = 20, r = 2: m = 160, not 40)") {
  const test::Study study = test::study(R"(
problem: {name: low_rank_psd, n: 20, rank: 2}
measurement: {name: gaussian_sensing, m: [40, 160]}
methods:
  - {label: convex, init: {name: small_random, scale: 1.0e-6}, optimizer: {name: nuclear_norm, weight: 1.0e-6}, width: 20}
run: {iterations: 1500, log_every: 50, seeds: [1, 2, 3]}
)");
  for (const RunResult* run : study.runs("convex", "measurement.m", "160")) CHECK(run->final_error <= 1e-4);
  for (const RunResult* run : study.runs("convex", "measurement.m", "40")) CHECK(run->final_error >= 0.1);
}
