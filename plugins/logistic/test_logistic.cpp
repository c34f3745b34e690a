#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("logistic: l(z, y) = log(1 + exp(-y z / s)) and its slope, finite for any z, and y = +-1 only") {
  const auto loss = test::loss("logistic", {{"scale", 2.0}});
  Vector z(4), y(4), d(4);
  z << 0.5, -1.0, 800.0, -800.0;
  y << 1.0, 1.0, -1.0, -1.0;
  const double value = loss->evaluate_observed(z - y, y, d);
  double expected = 0;
  for (int i = 0; i < 2; ++i) expected += std::log1p(std::exp(-y(i) * z(i) / 2.0));
  expected += 400.0 + std::log1p(std::exp(-400.0)) + std::log1p(std::exp(-400.0));  // t = 400, then t = -400
  CHECK(value == doctest::Approx(expected).epsilon(1e-12));
  CHECK(d(0) == doctest::Approx(-0.5 / (1.0 + std::exp(0.25))).epsilon(1e-12));
  CHECK(d(2) == doctest::Approx(0.5));  // y = -1 far on the wrong side: slope -y / s
  CHECK(std::abs(d(3)) < 1e-100);      // far on the right side: flat
  CHECK(d.allFinite());
  Vector half(2);
  half << 1.0, 0.5;
  CHECK(loss->refuses(half).find("y_2 = 0.5") != std::string::npos);
  CHECK(loss->refuses(half).find("one_bit") != std::string::npos);
  CHECK(test::conforms(PluginKind::loss, "logistic"));
}

TEST_CASE("logistic: 1-bit completion, the bounded likelihood fit beats least squares on the signs, and unbounded it runs away") {
  // Davenport et al. (2014): 50 x 50 of rank 1, entries of size 1, 80 % of the signs.
  const test::Study study = test::study(R"(
problem: {name: low_rank, n1: 50, n2: 50, rank: 1, spectrum: list, values: [50], normalization: none}
measurement: {name: matrix_completion, p: 0.8, scaling: entries}
corruptions: [{name: one_bit, scale: 1.0}]
methods:
  - {label: bounded, init: {name: small_random, scale: 1.0e-2}, width: 1, loss: logistic,
     optimizer: {name: gd, step: 0.02, row_norm_bound: 1.5}}
  - {label: signs, init: {name: small_random, scale: 1.0e-2}, width: 1, loss: squared, optimizer: {name: gd, step: 0.02}}
  - {label: unbounded, init: {name: small_random, scale: 1.0e-2}, width: 1, loss: logistic,
     optimizer: {name: gd, step: 0.02}}
run: {iterations: 3000, log_every: 100, seeds: [1, 2, 3]}
)");
  const auto bounded = study.runs("bounded"), signs = study.runs("signs"), unbounded = study.runs("unbounded");
  REQUIRE(bounded.size() == 3);
  for (std::size_t seed = 0; seed < 3; ++seed) {
    CHECK(bounded[seed]->final_error < 0.7);
    CHECK(bounded[seed]->final_error < signs[seed]->final_error);
    CHECK(unbounded[seed]->final_error > 2 * bounded[seed]->final_error);
    CHECK(unbounded[seed]->status == RunStatus::budget);  // grows, but the loss does not: never "diverged"
  }
}

TEST_CASE("logistic: observations that are not signs are refused at load, at the loss's key, with the fix") {
  std::string message;
  try {
    test::experiment_from(R"(
problem: {name: low_rank, n1: 6, n2: 5, rank: 1}
measurement: {name: gaussian_sensing, m: 30}
methods:
  - {label: m, init: small_random, optimizer: gd, width: 1,
     loss: logistic}
run: {iterations: 10, seeds: [1]}
)");
  } catch (const ConfigError& error) {
    message = error.what();
  }
  CHECK(message.find("test.yaml:6:12: method 'm': loss `logistic` cannot fit the observations of problem "
                     "`low_rank` (seed 1)") != std::string::npos);
  CHECK(message.find("one_bit corruption") != std::string::npos);
  // With the signs it loads; the check built one instance per sweep point, for this loss only.
  CHECK_NOTHROW(test::experiment_from(R"(
problem: {name: low_rank, n1: 6, n2: 5, rank: 1}
measurement: {name: gaussian_sensing, m: 30}
corruptions: [one_bit]
methods: [{label: m, init: small_random, optimizer: gd, width: 1, loss: logistic}]
)"));
}
