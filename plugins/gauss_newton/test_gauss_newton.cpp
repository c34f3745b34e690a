#include <doctest/doctest.h>

#include <Eigen/SVD>

#include "support.hpp"

using namespace ncvx;

namespace {

/// (H + lambda I)^+ through an SVD, independent of the plugin's eigendecomposition.
Matrix pseudo_inverse(const Matrix& H, double lambda) {
  const Matrix damped = H + lambda * Matrix::Identity(H.rows(), H.cols());
  return damped.completeOrthogonalDecomposition().pseudoInverse();
}

}  // namespace

TEST_CASE("gauss_newton: the alternating step is U - 2 eta grad_U f (V^T V)^+, then V from the new U") {
  const auto A = test::sample_operator("gaussian_sensing", MatrixShape::rectangular(9, 7), 2, {{"m", std::int64_t{90}}});
  RandomStream random(4, "test");
  Matrix U(9, 3), V(7, 3);
  random.fill_normal(U);
  random.fill_normal(V);
  V.col(2) = V.col(0);  // a rank-deficient V: the pseudo-inverse, not an inverse
  const test::NoiseObjective problem(A, random);
  const Objective& f = problem.f;
  for (const double lambda : {0.0, 0.3}) {
    CAPTURE(lambda);
    FactorSet gradient;
    f.value_and_gradient(FactorSet(U, V), gradient);
    const Matrix expected_U = U - 2 * 0.7 * gradient.left() * pseudo_inverse(V.transpose() * V, lambda);
    f.value_and_gradient(FactorSet(expected_U, V), gradient);
    const Matrix expected_V = V - 2 * 0.7 * gradient.right() * pseudo_inverse(expected_U.transpose() * expected_U, lambda);
    FactorSet stepped(U, V);
    const long before = f.evaluations();
    test::optimizer("gauss_newton", {{"step", 0.7}, {"damping", lambda}})->step(f, stepped, 0);
    CHECK(f.evaluations() - before == 2);
    CHECK((stepped.left() - expected_U).norm() <= 1e-10 * expected_U.norm());
    CHECK((stepped.right() - expected_V).norm() <= 1e-10 * expected_V.norm());

    f.value_and_gradient(FactorSet(U, V), gradient);
    const Matrix simultaneous_V = V - 2 * 0.7 * gradient.right() * pseudo_inverse(U.transpose() * U, lambda);
    FactorSet jacobi(U, V);
    test::optimizer("gauss_newton", {{"step", 0.7}, {"damping", lambda}, {"sweep", std::string("simultaneous")}})
        ->step(f, jacobi, 0);
    CHECK((jacobi.right() - simultaneous_V).norm() <= 1e-10 * simultaneous_V.norm());
  }
}

TEST_CASE("gauss_newton: for U U^T the full step solves the linearized least squares, D U^T + U D^T = -2 P_T(grad F)") {
  const auto A = test::sample_operator("gaussian_sensing", 8, 2, {{"m", std::int64_t{80}}});
  RandomStream random(6, "test");
  Matrix U(8, 3);
  random.fill_normal(U);
  const test::NoiseObjective problem(A, random);
  const Objective& f = problem.f;
  Matrix gradient_X;  // grad F = A*(l'(r)), symmetric here
  f.value_and_gradient_matrix(U * U.transpose(), gradient_X);
  const Matrix P = U * pseudo_inverse(U.transpose() * U, 0.0) * U.transpose();
  const Matrix tangent = P * gradient_X + gradient_X * P - P * gradient_X * P;
  FactorSet stepped(U);
  test::optimizer("gauss_newton", {{"step", 1.0}})->step(f, stepped, 0);
  const Matrix D = stepped.left() - U;
  const Matrix image = D * U.transpose() + U * D.transpose();
  CHECK((image + 2 * tangent).norm() <= 1e-10 * tangent.norm());
}

TEST_CASE("gauss_newton: overparameterized from a small start, linear and flat in kappa where the undamped simultaneous step diverges") {
  const test::Study study = test::study(R"(
problem: {name: low_rank, n1: 20, n2: 16, rank: 2, condition_number: [1, 100]}
measurement: {name: gaussian_sensing, m: 600}
methods:
  - {label: agn, init: {name: small_random, scale: 1.0e-3}, optimizer: {name: gauss_newton, step: 1.0}, width: 4}
  - {label: precgd, init: {name: small_random, scale: 1.0e-3}, optimizer: {name: precgd, rule: loss, damping: 1.0}, width: 4}
  - {label: simultaneous, init: {name: small_random, scale: 1.0e-3}, optimizer: {name: gauss_newton, sweep: simultaneous}, width: 4}
run: {iterations: 2000, log_every: 1, seeds: [1, 2, 3], stop: {test_error: 1.0e-8}}
)");
  for (const RunResult* run : study.runs("simultaneous")) CHECK(run->status == RunStatus::diverged);
  auto iterations = [&](const char* method, const char* kappa) {
    return study.median(method, "problem.condition_number", kappa, [](const RunResult& r) {
      REQUIRE(r.status == RunStatus::converged);
      return static_cast<double>(r.iterations);
    });
  };
  const double ratio = iterations("agn", "100") / iterations("agn", "1");
  CAPTURE(ratio);
  CHECK(ratio <= 1.25);
  CHECK(ratio >= 0.8);
  CHECK(iterations("agn", "100") * 2 <= iterations("precgd", "100"));  // two evaluations per iteration: still ahead
}
