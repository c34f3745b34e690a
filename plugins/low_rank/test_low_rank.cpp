#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("low_rank: X* = P diag(sigma) Q^T on n1 x n2 with orthonormal P, Q") {
  const auto problem = test::problem("low_rank", {{"n1", std::int64_t{12}}, {"n2", std::int64_t{7}},
                                                  {"rank", std::int64_t{3}}, {"condition_number", 3.0}});
  CHECK(problem->describe().shape == MatrixShape::rectangular(12, 7));
  CHECK(problem->describe().rank == 3);
  const GroundTruth truth = *test::sample_problem(*problem, 2).ground_truth;
  CHECK(truth.rows() == 12);
  CHECK(truth.cols() == 7);
  CHECK((truth.left().transpose() * truth.left() - Matrix::Identity(3, 3)).norm() < 1e-14);
  CHECK((truth.right().transpose() * truth.right() - Matrix::Identity(3, 3)).norm() < 1e-14);
  CHECK(truth.values()(0) == 1.0);
  CHECK(truth.values()(2) == doctest::Approx(1.0 / 3.0));
  // P is drawn first, then Q, from the ground-truth stream: P equals low_rank_psd's Q for the same seed.
  const GroundTruth square = *test::sample_problem(
      *test::problem("low_rank_psd", {{"n", std::int64_t{12}}, {"rank", std::int64_t{3}}}), 2).ground_truth;
  CHECK((square.left() - truth.left()).norm() == 0.0);
  CHECK(test::conforms(PluginKind::problem, "low_rank"));
}

TEST_CASE("low_rank: wishart is the SVD of G H^T, then normalized") {
  const auto problem = test::problem("low_rank", {{"n1", std::int64_t{10}}, {"n2", std::int64_t{8}},
                                                  {"rank", std::int64_t{2}}, {"spectrum", std::string("wishart")},
                                                  {"normalization", std::string("none")}});
  const GroundTruth truth = *test::sample_problem(*problem, 4).ground_truth;
  RandomStream random(4, "ground_truth");
  Matrix G(10, 2), H(8, 2);
  random.fill_normal(G);
  random.fill_normal(H);
  CHECK((truth.dense() - G * H.transpose()).norm() < 1e-12 * (G * H.transpose()).norm());
}

TEST_CASE("low_rank: fitted by X = U V^T, a symmetric factorization is refused at load") {
  const std::string config = R"(
problem: {name: low_rank, n1: 9, n2: 6}
measurement: {name: gaussian_sensing, m: 40}
methods: [{label: wrong, init: small_random, optimizer: gd, width: 2, factorization: symmetric}]
)";
  std::string message;
  try {
    test::experiment_from(config);
  } catch (const ConfigError& error) {
    message = error.what();
  }
  CHECK(message.find("problem `low_rank` is 9 x 6 (not symmetric), so it is fitted by X = U V^T") != std::string::npos);
  const Experiment experiment = test::experiment_from(R"(
problem: {name: low_rank, n1: 9, n2: 6}
measurement: {name: gaussian_sensing, m: 40}
methods: [{label: right, init: small_random, optimizer: gd, width: 2}]
)");
  CHECK_FALSE(experiment.run(0).method.symmetric_factorization());
}
