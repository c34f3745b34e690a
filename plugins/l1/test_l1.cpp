#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("l1: |r| summed, sign(r) as derivative (0 at 0), conforms") {
  const auto loss = test::loss("l1");
  Vector r(4), d(4);
  r << -2.0, 0.0, 0.5, 3.0;
  CHECK(loss->evaluate(r, d) == 5.5);
  CHECK(d == (Vector(4) << -1.0, 0.0, 1.0, 1.0).finished());
  CHECK(test::conforms(PluginKind::loss, "l1"));
}

TEST_CASE("l1: with the subgradient method, recovery despite 10 % outliers where the squared loss fails") {
  const Experiment experiment = test::experiment_from(R"(
problem: {n: 20, rank: 1}
corruptions: [{name: outliers, fraction: 0.1, magnitude: 10}]
measurement: {name: gaussian_sensing, m: 400}
methods:
  - {label: squared, loss: squared, init: {name: small_random, scale: 1e-6}, optimizer: {name: gd, step: 0.1}, width: 1}
  - {label: l1, loss: l1, init: {name: small_random, scale: 1e-6}, optimizer: {name: subgradient, step: 0.003, decay: 0.995}, width: 1}
run: {iterations: 1500, log_every: 50, seeds: [1]}
)");
  const auto results = run_experiment(experiment, test::plugins(), test::options(2)).runs;
  MESSAGE("squared " << results[0].final_error << ", l1 " << results[1].final_error);
  CHECK(results[0].final_error > 0.1);
  CHECK(results[1].final_error < 1e-4);
}
