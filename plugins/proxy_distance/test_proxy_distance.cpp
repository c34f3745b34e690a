#include <doctest/doctest.h>

#include <ncvx/study/experiment.hpp>
#include <ncvx/study/runner.hpp>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("proxy_distance: GD from small init follows (I + mu M)^t U_0 while U_t is small") {
  // docs/theory.md §6: while |U_t| <= 0.1 the distance is about 1e-2 or less.
  const Experiment experiment = make_experiment(parse_config_text(R"(
problem: {n: 40, rank: 2, condition_number: 2}
measurement: {name: gaussian_sensing, m: 800}
methods:
  - {label: small, init: {name: small_random, scale: 1e-6}, optimizer: {name: gd, step: 0.1}, width: 40}
metrics: [proxy_distance, signal_noise]
run: {iterations: 400, log_every: 10, seeds: [1]}
)", {"proxy.yaml", 0, 0, ""}), "proxy.yaml", test::plugins());
  const ExperimentResults results = run_experiment(experiment, test::plugins(), test::options(1));
  const auto column = [&](const std::string& name) {
    return std::find(results.columns.begin(), results.columns.end(), name) - results.columns.begin();
  };
  const auto proxy = column("proxy_distance"), norm = column("factor_norm");
  const RunResult& run = results.runs.front();
  int small_rows = 0;
  double worst = 0, at_large = 0;
  for (const auto& row : run.metrics) {
    if (row[norm] <= 0.1) {
      ++small_rows;
      worst = std::max(worst, row[proxy]);
    } else if (row[norm] > 0.7) {
      at_large = std::max(at_large, row[proxy]);
    }
  }
  CHECK(small_rows >= 10);
  CHECK(worst < 2e-2);
  CHECK(run.metrics.front()[proxy] == 0.0);
  CHECK(at_large > 0.1);  // once U_t is large, the linear proxy no longer describes GD
}
