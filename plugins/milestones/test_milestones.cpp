#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("milestones: the first iteration at which the test error is below each threshold") {
  const test::Study study = test::study(R"(
problem: {n: 12, rank: 2}
measurement: {name: gaussian_sensing, m: 200}
methods:
  - {label: gd, init: {name: small_random, scale: 1.0e-4}, optimizer: {name: gd, step: 0.2}, width: 4}
metrics: [{name: milestones, thresholds: [0.1, 1.0e-4, 1.0e-30]}]
run: {iterations: 600, log_every: 1, seeds: [3]}
)");
  REQUIRE(study.experiment.summary_columns ==
          std::vector<std::string>{"iterations_to_1e-01", "iterations_to_1e-04", "iterations_to_1e-30"});
  const RunResult& run = study.results.runs.front();
  const int error = study.experiment.column("test_error");
  for (const auto& [column, threshold] : {std::pair{"iterations_to_1e-01", 0.1}, std::pair{"iterations_to_1e-04", 1e-4}}) {
    CAPTURE(column);
    // The logged trajectory (every iteration here) crosses the threshold exactly there.
    Index first = -1;
    for (std::size_t row = 0; row < run.metrics.size() && first < 0; ++row)
      if (run.metrics[row][static_cast<std::size_t>(error)] <= threshold) first = run.logged_iterations[row];
    REQUIRE(first > 0);
    CHECK(study.summary(run, column) == static_cast<double>(first));
  }
  CHECK(std::isnan(study.summary(run, "iterations_to_1e-30")));
}
