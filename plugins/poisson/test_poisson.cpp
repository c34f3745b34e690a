#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("poisson: l(z, y) = exp(z) - y z, slope exp(z) - y, counts only, and negative values allowed") {
  const auto loss = test::loss("poisson");
  Vector z(3), y(3), d(3);
  z << 0.0, std::log(4.0), -1.0;
  y << 0.0, 4.0, 2.0;
  const double value = loss->evaluate_observed(z - y, y, d);
  CHECK(value == doctest::Approx(1.0 + (4.0 - 4.0 * std::log(4.0)) + (std::exp(-1.0) + 2.0)).epsilon(1e-12));
  CHECK(d(1) == doctest::Approx(0.0).scale(1.0));  // z = log y: the minimum
  CHECK(d(2) == doctest::Approx(std::exp(-1.0) - 2.0));
  Vector negative(2), fraction(2);
  negative << 1.0, -1.0;
  fraction << 1.0, 2.5;
  CHECK(loss->refuses(negative).find("y_2 = -1") != std::string::npos);
  CHECK(loss->refuses(fraction).find("counts corruption") != std::string::npos);
  CHECK(test::conforms(PluginKind::loss, "poisson"));
}

TEST_CASE("poisson: count completion by the bounded likelihood beats least squares on the counts") {
  // 50 x 50 of rank 1, log-intensities of size 0.5, 40 % of the counts; the objective is
  // negative by nature (y > e at some entries), which the divergence rule allows.
  const test::Study study = test::study(R"(
problem: {name: low_rank, n1: 50, n2: 50, rank: 1, spectrum: list, values: [25], normalization: none}
measurement: {name: matrix_completion, p: 0.4, scaling: entries}
corruptions: [counts]
methods:
  - {label: bounded, init: {name: small_random, scale: 1.0e-2}, width: 1, loss: poisson,
     optimizer: {name: gd, step: 0.003, row_norm_bound: 1.2}}
  - {label: counts, init: {name: small_random, scale: 1.0e-2}, width: 1, loss: squared,
     optimizer: {name: gd, step: 0.003}}
run: {iterations: 4000, log_every: 100, seeds: [1, 2, 3]}
)");
  const auto bounded = study.runs("bounded"), counts = study.runs("counts");
  REQUIRE(bounded.size() == 3);
  for (std::size_t seed = 0; seed < 3; ++seed) {
    CHECK(bounded[seed]->status == RunStatus::budget);
    CHECK(bounded[seed]->final_error < 0.9);
    CHECK(counts[seed]->final_error > 2.0);
  }
}
