#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("cp: conforms, and its lift is the unfolding of sum_r a_r (x) b_r (x) c_r") {
  CHECK(test::conforms(PluginKind::factorization, "cp"));
  const auto cp = test::plugins().find(PluginKind::factorization, "cp").create_factorization({});
  const MatrixShape shape = MatrixShape::tensor(3, 4, 2);
  RandomStream random(5, "test");
  Matrix A(3, 2), B(4, 2), C(2, 2);
  random.fill_normal(A);
  random.fill_normal(B);
  random.fill_normal(C);
  const FactorSet blocks(cp->shape(shape, 2), {A, B, C});
  const FactorSet product = lifted(*cp, blocks);
  const Matrix X = product.left() * product.right().transpose();
  double worst = 0;
  for (Index i = 0; i < 3; ++i)
    for (Index j = 0; j < 4; ++j)
      for (Index l = 0; l < 2; ++l) {
        double entry = 0;
        for (Index r = 0; r < 2; ++r) entry += A(i, r) * B(j, r) * C(l, r);
        worst = std::max(worst, std::abs(X(i, j + 4 * l) - entry));
      }
  CHECK(worst < 1e-14);
}

TEST_CASE("cp: tensor completion from a small start learns the components one at a time (Razin, Maman & Cohen 2021)") {
  // A 15 x 15 x 15 tensor of CP rank 3 with weights 1, 1/2, 1/4 from a fifth
  // of its entries, CP width 10 from a small start: the components are
  // learned largest first, each well after the one before, and the tensor is
  // recovered; U V^T on the unfolding (15 x 225) overfits the same entries.
  const test::Study study = test::study(R"(
problem: {name: low_rank_tensor, n1: 15, n2: 15, n3: 15, rank: 3, spectrum: geometric, condition_number: 4}
measurement: {name: matrix_completion, p: 0.2}
methods:
  - {label: cp, init: {name: small_random, scale: 1.0e-2}, optimizer: {name: gd, step: 0.1}, width: 10,
     factorization: cp}
  - {label: unfolding, init: {name: small_random, scale: 1.0e-3}, optimizer: {name: gd, step: 0.1}, width: 10}
metrics: [{name: components, count: 3, threshold: 0.5}]
run: {iterations: 20000, log_every: 1000, seeds: [1, 2]}
)");
  for (const RunResult* run : study.runs("cp")) {
    const double first = study.summary(*run, "learned_iteration_1"), second = study.summary(*run, "learned_iteration_2"),
                 third = study.summary(*run, "learned_iteration_3");
    CHECK(first < second);
    CHECK(second < third);
    CHECK(second - first > 1000);
    CHECK(run->final_error < 1e-2);
  }
  for (const RunResult* run : study.runs("unfolding")) CHECK(run->final_error > 0.2);
}

TEST_CASE("cp: refused on a matrix problem at load, with the place and the fix") {
  std::string message;
  try {
    test::experiment_from(R"(
problem: {name: low_rank, n1: 6, n2: 5}
measurement: {name: gaussian_sensing, m: 40}
methods:
  - {label: m, init: small_random, optimizer: gd, width: 2,
     factorization: cp}
)");
  } catch (const ConfigError& error) {
    message = error.what();
  }
  CHECK(message.find("test.yaml:6:21") != std::string::npos);
  CHECK(message.find("cp factors an order-3 tensor and the problem is a 6 x 5 matrix") != std::string::npos);
}
