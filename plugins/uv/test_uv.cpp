#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("uv: over-parameterized, U V^T converges linearly where U U^T slows to 1/T (Xiong, Ding & Du 2024)") {
  const test::Study study = test::study(R"(
problem: [{name: low_rank_psd, n: 20, rank: 2}, {name: low_rank, n1: 20, n2: 20, rank: 2}]
measurement: {name: gaussian_sensing, m: 1200}
methods:
  - {label: gd, init: {name: small_random, scale: 0.1}, optimizer: {name: gd, step: 0.2}, width: 4}
run: {iterations: 8000, log_every: 1000, seeds: [1]}
)");
  const auto column = static_cast<std::size_t>(study.experiment.column("test_error"));
  const auto error_at = [&](const std::string& problem, Index iteration) {
    const RunResult& run = *study.runs("gd", "problem", problem).front();
    for (std::size_t row = 0; row < run.logged_iterations.size(); ++row)
      if (run.logged_iterations[row] == iteration) return run.metrics[row][column];
    return std::nan("");
  };
  // U U^T: the error halves when T doubles (1/T, squared error 1/T^2).
  const double symmetric = error_at("low_rank_psd", 8000) / error_at("low_rank_psd", 1000);
  CHECK(symmetric > 1.0 / 12);
  CHECK(symmetric < 1.0 / 5);
  // U V^T: geometric, more than a hundredfold from 2000 to 8000.
  CHECK(error_at("low_rank", 8000) < 1e-2 * error_at("low_rank", 2000));
  CHECK(error_at("low_rank", 8000) < 0.1 * error_at("low_rank_psd", 8000));
}
