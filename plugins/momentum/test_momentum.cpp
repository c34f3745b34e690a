#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("momentum: beta = 0 is gd bit for bit, the first heavy-ball step is a gd step") {
  const auto A = test::sample_operator("gaussian_sensing", MatrixShape::rectangular(8, 6), 3, {{"m", std::int64_t{70}}});
  RandomStream random(2, "test");
  Matrix U(8, 2), V(6, 2);
  random.fill_normal(U, 0.3);
  random.fill_normal(V, 0.3);
  const test::NoiseObjective problem(A, random);
  const Objective& f = problem.f;
  for (const char* variant : {"heavy_ball", "nesterov"}) {
    CAPTURE(variant);
    FactorSet plain(U, V), without(U, V);
    const auto gd = test::optimizer("gd", {{"step", 0.2}});
    const auto momentum = test::optimizer("momentum", {{"step", 0.2}, {"momentum", 0.0}, {"variant", std::string(variant)}});
    for (Index t = 0; t < 5; ++t) {
      gd->step(f, plain, t);
      momentum->step(f, without, t);
    }
    CHECK(plain == without);
  }
  FactorSet plain(U, V), heavy(U, V);
  test::optimizer("gd", {{"step", 0.2}})->step(f, plain, 0);
  test::optimizer("momentum", {{"step", 0.2}, {"momentum", 0.9}})->step(f, heavy, 0);
  CHECK(plain == heavy);
}

TEST_CASE("momentum: at an equal step, heavy-ball and Nesterov need 3x fewer iterations than gd at kappa = 20") {
  const test::Study study = test::study(R"(
problem: {name: low_rank_psd, n: 20, rank: 2, condition_number: 20}
measurement: {name: gaussian_sensing, m: 400}
methods:
  - {label: gd, init: spectral, optimizer: {name: gd, step: 0.25}, width: 2}
  - {label: heavy_ball, init: spectral, optimizer: {name: momentum, step: 0.25, momentum: 0.8}, width: 2}
  - {label: nesterov, init: spectral, optimizer: {name: momentum, step: 0.25, momentum: 0.8, variant: nesterov}, width: 2}
run: {iterations: 10000, log_every: 1, seeds: [1, 2], stop: {test_error: 1.0e-8}}
)");
  auto iterations = [&](const char* method) {
    return study.median(method, "", "", [](const RunResult& r) {
      REQUIRE(r.status == RunStatus::converged);
      return static_cast<double>(r.iterations);
    });
  };
  CHECK(iterations("heavy_ball") * 3 <= iterations("gd"));
  CHECK(iterations("nesterov") * 3 <= iterations("gd"));
}
