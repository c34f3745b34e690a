#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("scaled_gd: one step is U - eta grad_U f (V^T V)^-1, V - eta grad_V f (U^T U)^-1") {
  const auto A = test::sample_operator("gaussian_sensing", MatrixShape::rectangular(9, 7), 2, {{"m", std::int64_t{90}}});
  RandomStream random(4, "test");
  Matrix U(9, 2), V(7, 2);
  random.fill_normal(U);
  random.fill_normal(V);
  const test::NoiseObjective problem(A, random);
  const Objective& f = problem.f;
  FactorSet gradient;
  f.value_and_gradient(FactorSet(U, V), gradient);
  const Matrix expected_U = U - 0.7 * gradient.left() * (V.transpose() * V).inverse();
  const Matrix expected_V = V - 0.7 * gradient.right() * (U.transpose() * U).inverse();
  FactorSet stepped(U, V);
  test::optimizer("scaled_gd", {{"step", 0.7}})->step(f, stepped, 0);
  CHECK((stepped.left() - expected_U).norm() <= 1e-12 * expected_U.norm());
  CHECK((stepped.right() - expected_V).norm() <= 1e-12 * expected_V.norm());
}

TEST_CASE("scaled_gd: iterations to 1e-8 flat in kappa (within 25 % from 1 to 20) while gd's grow 5x or more") {
  for (const char* problem : {"{name: low_rank_psd, n: 20, rank: 2", "{name: low_rank, n1: 20, n2: 16, rank: 2"}) {
    CAPTURE(problem);
    const bool symmetric = std::string(problem).find("psd") != std::string::npos;
    const test::Study study = test::study(std::string("problem: ") + problem + R"(, condition_number: [1, 20]}
measurement: {name: gaussian_sensing, m: 400}
methods:
  - {label: gd, init: spectral, optimizer: {name: gd, step: )" + (symmetric ? "0.25" : "0.5") + R"(}, width: 2}
  - {label: scaled_gd, init: spectral, optimizer: scaled_gd, width: 2}
run: {iterations: 10000, log_every: 1, seeds: [1, 2, 3], stop: {test_error: 1.0e-8}}
)");
    auto iterations = [&](const char* method, const char* kappa) {
      return study.median(method, "problem.condition_number", kappa, [](const RunResult& r) {
        REQUIRE(r.status == RunStatus::converged);
        return static_cast<double>(r.iterations);
      });
    };
    const double scaled_ratio = iterations("scaled_gd", "20") / iterations("scaled_gd", "1");
    const double gd_ratio = iterations("gd", "20") / iterations("gd", "1");
    CAPTURE(scaled_ratio);
    CAPTURE(gd_ratio);
    CHECK(scaled_ratio <= 1.25);
    CHECK(scaled_ratio >= 0.8);
    CHECK(gd_ratio >= 5.0);
  }
}
