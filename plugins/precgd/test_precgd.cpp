#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("precgd: the damped step, and ScaledGD's when the damping vanishes") {
  const auto A = test::sample_operator("gaussian_sensing", 8, 2, {{"m", std::int64_t{80}}});
  RandomStream random(6, "test");
  Matrix U(8, 3);
  random.fill_normal(U);
  const test::NoiseObjective problem(A, random);
  const Objective& f = problem.f;
  FactorSet gradient;
  const double value = f.value_and_gradient(FactorSet(U), gradient);
  for (const char* rule : {"constant", "loss"}) {
    CAPTURE(rule);
    const double lambda = std::string(rule) == "loss" ? 0.3 * std::sqrt(value) : 0.3;
    const Matrix expected =
        U - 0.5 * gradient.left() * (U.transpose() * U + lambda * Matrix::Identity(3, 3)).inverse();
    FactorSet stepped(U);
    test::optimizer("precgd", {{"damping", 0.3}, {"rule", std::string(rule)}})->step(f, stepped, 0);
    CHECK((stepped.left() - expected).norm() <= 1e-12 * expected.norm());
  }
  FactorSet damped(U), undamped(U);
  test::optimizer("precgd", {{"damping", 1e-14}})->step(f, damped, 0);
  test::optimizer("scaled_gd")->step(f, undamped, 0);
  CHECK((damped.left() - undamped.left()).norm() <= 1e-9 * undamped.left().norm());
}

TEST_CASE("precgd: overparameterized from a small start, flat in kappa where ScaledGD diverges") {
  const test::Study study = test::study(R"(
problem: {name: low_rank_psd, n: 20, rank: 2, condition_number: [1, 20]}
measurement: {name: gaussian_sensing, m: 400}
methods:
  - {label: scaled_gd, init: {name: small_random, scale: 1.0e-6}, optimizer: scaled_gd, width: 4}
  - {label: precgd, init: {name: small_random, scale: 1.0e-6}, optimizer: {name: precgd, rule: loss, damping: 1.0}, width: 4}
run: {iterations: 3000, log_every: 1, seeds: [1, 2, 3], stop: {test_error: 1.0e-8}}
)");
  for (const RunResult* run : study.runs("scaled_gd")) CHECK(run->status == RunStatus::diverged);
  auto iterations = [&](const char* kappa) {
    return study.median("precgd", "problem.condition_number", kappa, [](const RunResult& r) {
      REQUIRE(r.status == RunStatus::converged);
      return static_cast<double>(r.iterations);
    });
  };
  const double ratio = iterations("20") / iterations("1");
  CAPTURE(ratio);
  CHECK(ratio <= 1.25);
  CHECK(ratio >= 0.8);
}
