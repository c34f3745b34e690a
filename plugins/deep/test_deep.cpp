#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

namespace {

std::shared_ptr<Factorization> deep(std::int64_t depth) {
  return test::plugins().find(PluginKind::factorization, "deep").create_factorization(
      test::values_for(PluginKind::factorization, "deep", {{"depth", depth}}));
}

std::string load_error(const std::string& text) {
  try {
    test::experiment_from(text);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("deep: conforms at depths 1, 2, 3 and 5 (chain rule against differences)") {
  for (std::int64_t depth : {1, 2, 3, 5})
    CHECK(test::conforms(PluginKind::factorization, "deep", {{"depth", depth}}));
}

TEST_CASE("deep: blocks W_1 (k x n2), W_j (k x k), W_D (n1 x k), and depth 2 is U V^T with U = W_2, V = W_1^T, bit for bit") {
  const MatrixShape shape = MatrixShape::rectangular(7, 5);
  const FactorShape blocks = deep(3)->shape(shape, 4);
  REQUIRE(blocks.blocks.size() == 3);
  CHECK(blocks.blocks[0] == BlockShape{4, 5});
  CHECK(blocks.blocks[1] == BlockShape{4, 4});
  CHECK(blocks.blocks[2] == BlockShape{7, 4});
  CHECK(deep(1)->shape(shape, 4).blocks == std::vector<BlockShape>{{7, 5}});

  // The objective of a depth-2 network through its lift is the objective of
  // U V^T, and its gradient the same numbers, transposed for W_1.
  const auto instance = test::instance_from(R"(
problem: {name: low_rank, n1: 7, n2: 5, rank: 2}
measurement: {name: gaussian_sensing, m: 60}
methods: [{label: m, init: small_random, optimizer: gd, width: 3}]
)");
  const auto loss = test::loss("squared");
  const auto two = deep(2);
  RandomStream random(3, "test");
  Matrix W1(3, 5), W2(7, 3);
  random.fill_normal(W1);
  random.fill_normal(W2);
  const FactorSet network(two->shape(shape, 3), {W1, W2});
  const Objective through(instance->measurement(), *loss, instance->observations(), two.get());
  const Objective direct(instance->measurement(), *loss, instance->observations());
  FactorSet network_gradient, pair_gradient;
  const double value = through.value_and_gradient(network, network_gradient);
  CHECK(value == direct.value_and_gradient(FactorSet(W2, W1.transpose()), pair_gradient));
  CHECK(network_gradient[0] == pair_gradient.right().transpose());
  CHECK(network_gradient[1] == pair_gradient.left());
}

TEST_CASE("deep: depth sharpens the bias to low rank in completion (Arora, Cohen, Hu & Luo 2019)") {
  // 30 x 30 of rank 2 from a quarter of its entries, hidden width 30, small
  // starts: depth 1 (gd on X itself) fills nothing outside the observed
  // entries, depth 2 (U V^T) recovers part of X*, depth 3 most of it.
  const test::Study study = test::study(R"(
problem: {name: low_rank, n1: 30, n2: 30, rank: 2}
measurement: {name: matrix_completion, p: 0.25}
methods:
  - {label: d1, init: {name: small_random, scale: 1.0e-3}, optimizer: {name: gd, step: 0.2}, width: 30,
     factorization: {name: deep, depth: 1}}
  - {label: d2, init: {name: small_random, scale: 1.0e-3}, optimizer: {name: gd, step: 0.2}, width: 30,
     factorization: {name: deep, depth: 2}}
  - {label: d3, init: {name: small_random, scale: 1.0e-2}, optimizer: {name: gd, step: 0.2}, width: 30,
     factorization: {name: deep, depth: 3}}
run: {iterations: 10000, log_every: 1000, seeds: [1, 2, 3]}
)");
  const auto error = [](const RunResult& run) { return run.final_error; };
  const double one = study.median("d1", "", "", error), two = study.median("d2", "", "", error),
               three = study.median("d3", "", "", error);
  CHECK(one > 0.8);  // about sqrt(1 - p)
  CHECK(two < 0.5 * one);
  CHECK(three < 0.1 * two);
  for (const char* label : {"d1", "d2", "d3"})
    for (const RunResult* run : study.runs(label, "", "")) CHECK(run->status == RunStatus::budget);
}

TEST_CASE("deep: refused on a tensor, by U U^T-only optimizers and by spectral starts, at load with the reason") {
  const std::string tensor = load_error(R"(
problem: {name: low_rank_tensor, n1: 4, n2: 3, n3: 2}
measurement: {name: matrix_completion, p: 0.5}
methods: [{label: m, init: small_random, optimizer: gd, width: 2, factorization: {name: deep, depth: 2}}]
)");
  CHECK(tensor.find("factorization `deep` cannot fit problem `low_rank_tensor` (4 x 3 x 2 tensor)") !=
        std::string::npos);
  CHECK(tensor.find("use cp") != std::string::npos);
  const std::string optimizer = load_error(R"(
problem: {name: low_rank, n1: 6, n2: 5}
measurement: {name: gaussian_sensing, m: 40}
methods: [{label: m, init: small_random, optimizer: scaled_gd, width: 2, factorization: deep}]
)");
  CHECK(optimizer.find("test.yaml:4:") != std::string::npos);
  CHECK(optimizer.find("optimizer `scaled_gd` cannot fit factorization `deep depth=3`") != std::string::npos);
  const std::string start = load_error(R"(
problem: {name: low_rank, n1: 6, n2: 5}
measurement: {name: gaussian_sensing, m: 40}
methods: [{label: m, init: spectral, optimizer: gd, width: 2, factorization: deep}]
)");
  CHECK(start.find("initializer `spectral` cannot start factorization `deep depth=3`") != std::string::npos);
}
