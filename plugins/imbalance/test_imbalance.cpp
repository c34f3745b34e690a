#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("imbalance: |U^T U - V^T V|_F, zero for U U^T, small along gd from a small start") {
  const auto instance = test::sensing_instance(8);
  const auto loss = test::loss("squared");
  const Objective f(instance->measurement(), *loss, instance->observations());
  const auto metric = test::plugins().find(PluginKind::metric, "imbalance").create_metric({});
  RandomStream random(1, "test");
  Matrix U(8, 2), V(8, 2);
  random.fill_normal(U);
  random.fill_normal(V);
  double value;
  metric->evaluate({*instance, f, FactorSet(U, V), FactorSet(U, V), 0, 0.1}, &value);
  CHECK(value == doctest::Approx((U.transpose() * U - V.transpose() * V).norm()).epsilon(1e-12));
  metric->evaluate({*instance, f, FactorSet(U), FactorSet(U), 0, 0.1}, &value);
  CHECK(value == 0.0);

  const test::Study study = test::study(R"(
problem: {name: low_rank, n1: 20, n2: 15, rank: 2}
measurement: {name: gaussian_sensing, m: 300}
methods:
  - {label: gd, init: {name: small_random, scale: [1.0e-3, 0.3]}, optimizer: {name: gd, step: 0.3}, width: 15}
metrics: [imbalance]
run: {iterations: 1500, log_every: 50, seeds: [1, 2]}
)");
  // Small start: the factors grow to |X*| = 1, the imbalance stays below 1e-2.
  for (const RunResult* run : study.runs("gd", "init.scale", "1e-3")) {
    CHECK(run->final_error <= 1e-2);
    CHECK(study.summary(*run, "max_imbalance") <= 1e-2);
  }
  for (const RunResult* run : study.runs("gd", "init.scale", "0.3")) CHECK(study.summary(*run, "max_imbalance") >= 0.1);
}
