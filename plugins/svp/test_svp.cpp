#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("svp: one step is the rank-k projection of X - mu grad_X f") {
  const auto A = test::sample_operator("gaussian_sensing", MatrixShape::rectangular(9, 7), 2, {{"m", std::int64_t{90}}});
  RandomStream random(5, "test");
  Matrix U(9, 2), V(7, 2);
  random.fill_normal(U);
  random.fill_normal(V);
  const test::NoiseObjective problem(A, random);
  const Objective& f = problem.f;
  Matrix gradient;
  f.value_and_gradient_matrix(U * V.transpose(), gradient);
  const Matrix Y = U * V.transpose() - 0.4 * gradient;
  const Eigen::JacobiSVD<Matrix> svd(Y, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Matrix expected = svd.matrixU().leftCols(2) * svd.singularValues().head(2).asDiagonal() *
                          svd.matrixV().leftCols(2).transpose();
  FactorSet F(U, V);
  test::optimizer("svp", {{"step", 0.4}, {"backtracking", false}})->step(f, F, 0);
  CHECK((F.product() - expected).norm() <= 1e-10 * expected.norm());
}

TEST_CASE("svp: recovers from few measurements with backtracking, where the fixed step diverges") {
  const test::Study study = test::study(R"(
problem: {name: low_rank_psd, n: 20, rank: 2}
measurement: {name: gaussian_sensing, m: 70}
methods:
  - {label: backtracking, init: {name: small_random, scale: 1.0e-6}, optimizer: svp, width: 2}
  - {label: fixed, init: {name: small_random, scale: 1.0e-6}, optimizer: {name: svp, backtracking: false}, width: 2}
run: {iterations: 1000, log_every: 10, seeds: [1, 2, 3], stop: {test_error: 1.0e-8}}
)");
  for (const RunResult* run : study.runs("backtracking")) CHECK(run->status == RunStatus::converged);
  for (const RunResult* run : study.runs("fixed")) CHECK(run->status == RunStatus::diverged);
}
