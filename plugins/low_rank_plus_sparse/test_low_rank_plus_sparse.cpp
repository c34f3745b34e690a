#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("low_rank_plus_sparse: the data is L* + S*, the truth L* alone, S* a fraction of +-magnitude rms(L*)") {
  const auto problem = test::problem("low_rank_plus_sparse", {{"n1", std::int64_t{20}}, {"n2", std::int64_t{15}},
                                                              {"rank", std::int64_t{2}}, {"fraction", 0.1},
                                                              {"magnitude", 5.0}});
  const ProblemData data = test::sample_problem(*problem, 3);
  REQUIRE(data.ground_truth);
  REQUIRE(data.sparse);
  CHECK(data.sparse->size() == 30);  // round(0.1 * 300)
  const double rms = data.ground_truth->norm() / std::sqrt(300.0);
  std::set<std::pair<std::int32_t, std::int32_t>> positions;
  for (std::size_t e = 0; e < data.sparse->size(); ++e) {
    CHECK(std::abs(data.sparse->values[e]) == doctest::Approx(5.0 * rms));
    positions.insert({data.sparse->rows[e], data.sparse->columns[e]});
  }
  CHECK(positions.size() == 30);  // distinct entries
  // L* is low_rank's for the same seed and spectrum.
  const auto plain = test::problem("low_rank", {{"n1", std::int64_t{20}}, {"n2", std::int64_t{15}},
                                                {"rank", std::int64_t{2}}});
  CHECK((test::sample_problem(*plain, 3).ground_truth->dense() - data.ground_truth->dense()).norm() == 0.0);
  CHECK(test::conforms(PluginKind::problem, "low_rank_plus_sparse"));

  // Measured by full completion, y = L* + S* entry by entry; scored against L*: the truth's own fit
  // has test error 0 and a training loss of |S*|^2 / 4.
  const auto instance = test::instance_from(R"(
problem: {name: low_rank_plus_sparse, n1: 20, n2: 15, rank: 2, fraction: 0.1, magnitude: 5}
measurement: {name: matrix_completion, p: 1.0}
methods: [{label: m, init: small_random, optimizer: gd, width: 2}]
)");
  const FactorSet& truth = instance->ground_truth().factors();
  CHECK(instance->test_error(truth) < 1e-14);
  const auto loss = test::loss("squared");
  const Objective f(instance->measurement(), *loss, instance->observations());
  const double size = 5.0 * instance->ground_truth().norm() / std::sqrt(300.0);  // |S*_ij|
  CHECK(f.value(truth) == doctest::Approx(30 * size * size / 4).epsilon(1e-10));
}

TEST_CASE("low_rank_plus_sparse: factored l1 subgradient descent recovers L*, least squares fits L* + S*") {
  const test::Study study = test::study(R"(
problem: {name: low_rank_plus_sparse, n1: 30, n2: 30, rank: 2, fraction: 0.1, magnitude: 10}
measurement: {name: matrix_completion, p: 1.0}
methods:
  - {label: squared, loss: squared, init: {name: small_random, scale: 1.0e-6}, optimizer: {name: gd, step: 0.1},
     width: 4}
  - {label: l1, loss: l1, init: {name: small_random, scale: 1.0e-6},
     optimizer: {name: subgradient, step: 0.005, decay: 0.997}, width: 4}
run: {iterations: 3000, log_every: 100, seeds: [1, 2]}
)");
  for (const RunResult* run : study.runs("l1")) CHECK(run->final_error < 1e-3);
  for (const RunResult* run : study.runs("squared")) CHECK(run->final_error > 0.5);
}
