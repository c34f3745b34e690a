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

TEST_CASE("imbalance: between the layers of a deep product, max_j |W_{j+1}^T W_{j+1} - W_j W_j^T|_F") {
  const auto instance = test::sensing_instance(6);
  const auto loss = test::loss("squared");
  const Objective f(instance->measurement(), *loss, instance->observations());
  const auto metric = test::plugins().find(PluginKind::metric, "imbalance").create_metric({});
  const auto deep = test::plugins().find(PluginKind::factorization, "deep").create_factorization(
      test::values_for(PluginKind::factorization, "deep", {}));
  RandomStream random(2, "test");
  Matrix W1(3, 6), W2(3, 3), W3(6, 3);
  random.fill_normal(W1);
  random.fill_normal(W2);
  random.fill_normal(W3);
  const FactorSet blocks(deep->shape(MatrixShape::square_symmetric(6), 3), {W1, W2, W3});
  const FactorSet product = lifted(*deep, blocks);
  double value;
  metric->evaluate({*instance, f, product, product, 0, 0.1, &blocks}, &value);
  const double expected = std::max((W2.transpose() * W2 - W1 * W1.transpose()).norm(),
                                   (W3.transpose() * W3 - W2 * W2.transpose()).norm());
  CHECK(value == doctest::Approx(expected).epsilon(1e-12));
  // Gradient flow conserves each W_{j+1}^T W_{j+1} - W_j W_j^T: along gd the imbalance stays
  // within 1 % of the start's while the fit goes from error 1 to a few percent.
  const test::Study study = test::study(R"(
problem: {name: low_rank, n1: 12, n2: 12, rank: 2}
measurement: {name: gaussian_sensing, m: 200}
methods: [{label: deep, init: {name: small_random, scale: 0.3}, optimizer: {name: gd, step: 0.1}, width: 6,
           factorization: {name: deep, depth: 3}}]
metrics: [imbalance]
run: {iterations: 2000, log_every: 100, seeds: [1]}
)");
  const RunResult& run = *study.runs("deep").front();
  const auto column = static_cast<std::size_t>(study.experiment.column("imbalance"));
  const double start = run.metrics.front()[column], end = run.metrics.back()[column];
  CHECK(run.final_error < 0.05);
  CHECK(start > 0.1);
  CHECK(std::abs(end - start) < 0.01 * start);
  CHECK(study.summary(run, "max_imbalance") < 1.01 * start);
}
