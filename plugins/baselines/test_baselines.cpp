#include <doctest/doctest.h>

#include <fmt/format.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("baselines: the held-out RMSE of the mean, each row's and each column's mean, by hand") {
  test::TemporaryFolder folder("baselines");
  // Observed: user a rates x 1, y 3; user b rates x 5. Held out: (a, z) 2 and (b, y) 4; `center: false`.
  const std::string train = "a x 1\na y 3\nb x 5\n", held = "a z 2\nb y 4\n";
  const Experiment experiment = test::experiment_from(fmt::format(R"(
problem: {{name: ratings, file: {}, split: file, test_file: {}, center: false}}
measurement: matrix_completion
metrics: [baselines]
methods: [{{label: gd, init: small_random, optimizer: gd, width: 1}}]
run: {{iterations: 2, seeds: [1]}}
)",
                                                                  folder.write("train.data", train).string(),
                                                                  folder.write("test.data", held).string()));
  const auto results = run_experiment(experiment, test::plugins(), test::options(1)).runs;
  REQUIRE(results.size() == 1);
  const RunResult& run = results.front();
  const double mean = 3.0;
  // Row means: a 2, b 5. Column means: x 3, y 3, z none (the mean, 3).
  CHECK(test::summary_value(experiment, run, "mean_rmse") ==
        doctest::Approx(std::sqrt(((2 - mean) * (2 - mean) + (4 - mean) * (4 - mean)) / 2)));
  CHECK(test::summary_value(experiment, run, "row_mean_rmse") == doctest::Approx(std::sqrt((0.0 + 1.0) / 2)));
  CHECK(test::summary_value(experiment, run, "column_mean_rmse") == doctest::Approx(std::sqrt((1.0 + 1.0) / 2)));
}

TEST_CASE("baselines: a problem without held-out entries has no baseline (NaN), and the run goes on") {
  const Experiment experiment = test::experiment_from(R"(
problem: {n: 6, rank: 1}
measurement: {name: gaussian_sensing, m: 30}
metrics: [baselines]
methods: [{label: gd, init: small_random, optimizer: gd, width: 1}]
run: {iterations: 2, seeds: [1]}
)");
  const auto results = run_experiment(experiment, test::plugins(), test::options(1)).runs;
  REQUIRE(results.front().status == RunStatus::budget);
  for (const char* column : {"mean_rmse", "row_mean_rmse", "column_mean_rmse"})
    CHECK(std::isnan(test::summary_value(experiment, results.front(), column)));
}
