#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("mirror_descent: log X_1 = log X_0 - mu grad_X f, from X_0 = alpha I") {
  const auto A = test::sample_operator("gaussian_sensing", 6, 2, {{"m", std::int64_t{40}}});
  RandomStream random(5, "test");
  const test::NoiseObjective problem(A, random);
  const Objective& f = problem.f;
  const double alpha = 0.01;
  Matrix gradient;
  f.value_and_gradient_matrix(alpha * Matrix::Identity(6, 6), gradient);
  const Matrix log_next = std::log(alpha) * Matrix::Identity(6, 6) - 0.3 * gradient;
  Eigen::SelfAdjointEigenSolver<Matrix> eigen(0.5 * (log_next + log_next.transpose()));
  const Matrix expected = eigen.eigenvectors() * eigen.eigenvalues().array().exp().matrix().asDiagonal() *
                          eigen.eigenvectors().transpose();
  FactorSet F(std::sqrt(alpha) * Matrix::Identity(6, 6));
  test::optimizer("mirror_descent", {{"step", 0.3}})->step(f, F, 0);
  CHECK((F.product() - expected).norm() <= 1e-10 * expected.norm());
}

TEST_CASE("mirror_descent: the test error falls with the scale of X_0 = alpha I (implicit bias)") {
  const test::Study study = test::study(R"(
problem: {name: low_rank_psd, n: 20, rank: 2}
measurement: {name: gaussian_sensing, m: 120}
methods:
  - {label: md, init: {name: scaled_identity, scale: [0.1, 0.001]}, optimizer: {name: mirror_descent, step: 2.0}, width: 20}
run: {iterations: 4000, log_every: 100, seeds: [1, 2]}
)");
  const double large = study.median("md", "init.scale", "0.1", [](const RunResult& r) { return r.final_error; });
  const double small = study.median("md", "init.scale", "0.001", [](const RunResult& r) { return r.final_error; });
  CAPTURE(large);
  CAPTURE(small);
  CHECK(small * 10 <= large);
}

TEST_CASE("mirror_descent: refuses X = U V^T") {
  CHECK(!test::optimizer("mirror_descent")->refuses({6, 5, 2, false}).empty());
  CHECK(test::optimizer("mirror_descent")->refuses({6, 6, 2, true}).empty());
}
