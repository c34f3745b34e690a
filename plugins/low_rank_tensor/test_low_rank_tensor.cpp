#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("low_rank_tensor: X* is the mode-1 unfolding of sum_r lambda_r a_r (x) b_r (x) c_r") {
  const auto problem = test::problem("low_rank_tensor", {{"n1", std::int64_t{4}}, {"n2", std::int64_t{3}},
                                                         {"n3", std::int64_t{5}}, {"rank", std::int64_t{2}},
                                                         {"spectrum", std::string("geometric")},
                                                         {"condition_number", 2.0}});
  CHECK(problem->describe().shape == MatrixShape::tensor(4, 3, 5));
  CHECK(problem->describe().shape.describe() == "4 x 3 x 5 tensor");
  const GroundTruth truth = *test::sample_problem(*problem, 7).ground_truth;
  // The same draws, in the plugin's order: A, B, C, unit columns; lambda = 1, 1/2.
  RandomStream random(7, "ground_truth");
  auto unit = [&](Index rows) {
    Matrix columns(rows, 2);
    random.fill_normal(columns);
    columns.colwise().normalize();
    return columns;
  };
  const Matrix A = unit(4), B = unit(3), C = unit(5);
  const double lambda[2] = {1.0, 0.5};
  const Matrix X = truth.dense();
  double worst = 0;
  for (Index i = 0; i < 4; ++i)
    for (Index j = 0; j < 3; ++j)
      for (Index l = 0; l < 5; ++l) {
        double entry = 0;
        for (Index r = 0; r < 2; ++r) entry += lambda[r] * A(i, r) * B(j, r) * C(l, r);
        worst = std::max(worst, std::abs(X(i, j + 3 * l) - entry));
      }
  CHECK(worst < 1e-14);
  CHECK(test::conforms(PluginKind::problem, "low_rank_tensor"));
}

TEST_CASE("low_rank_tensor: measured by completion and Gaussian sensing of its unfolding, and wishart is refused") {
  const test::Study study = test::study(R"(
problem: {name: low_rank_tensor, n1: 5, n2: 4, n3: 3, rank: 1}
measurement: [{name: matrix_completion, p: 0.6}, {name: gaussian_sensing, m: 50}]
methods: [{label: cp, init: {name: small_random, scale: 0.1}, optimizer: {name: gd, step: 0.3}, width: 1,
           factorization: cp}]
run: {iterations: 3000, log_every: 100, seeds: [1]}
)");
  for (const RunResult* run : study.runs("cp")) CHECK(run->final_error < 1e-3);
  std::string message;
  try {
    test::experiment_from("problem: {name: low_rank_tensor, spectrum: wishart}\n"
                          "measurement: gaussian_sensing\nmethods: [{init: small_random, optimizer: gd, width: 1}]\n");
  } catch (const std::exception& error) {
    message = error.what();
  }
  CHECK(message.find("spectrum: wishart describes matrices") != std::string::npos);
}
