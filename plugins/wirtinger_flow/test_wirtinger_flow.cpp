#include <doctest/doctest.h>

#include <cmath>

#include <ncvx/study/output.hpp>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("wirtinger_flow: step mu_t / |z_0|^2 with mu_t = min(1 - exp(-(t+1)/t_0), mu_max)") {
  const auto A = test::sample_operator("rank_one", 10, 1, {{"m", std::int64_t{80}}});
  RandomStream random(3, "test");
  Matrix z(10, 1);
  random.fill_normal(z);
  const test::NoiseObjective problem(A, random);
  const Objective& f = problem.f;
  const auto flow = test::optimizer("wirtinger_flow", {{"max_step", 0.05}, {"warmup", 10.0}});
  FactorSet iterate(z);
  FactorSet gradient;
  const double start = z.squaredNorm();
  for (Index t = 0; t < 40; ++t) {
    f.value_and_gradient(iterate, gradient);
    const double mu = std::min(1.0 - std::exp(-static_cast<double>(t + 1) / 10.0), 0.05);
    const Matrix expected = iterate.left() - (mu / start) * gradient.left();
    flow->step(f, iterate, t);
    CHECK((iterate.left() - expected).norm() <= 1e-12 * expected.norm());
  }
}

TEST_CASE("wirtinger_flow: phase retrieval succeeds at m = 8n and fails at m = 2n (truncated spectral start)") {
  const test::Study study = test::study(R"(
problem: {name: low_rank_psd, n: 32, rank: 1}
measurement: {name: rank_one, m: [64, 256]}
methods:
  - {label: wf, init: truncated_spectral, optimizer: wirtinger_flow, width: 1}
run: {iterations: 1500, log_every: 50, repetitions: 10, success_below: 1.0e-5, stop: {test_error: 1.0e-6}}
)");
  auto rate = [&](const char* m) {
    double successes = 0;
    const auto runs = study.runs("wf", "measurement.m", m);
    for (const RunResult* run : runs) successes += success_of(study.experiment.run(static_cast<std::size_t>(run->id)),
                                                              run->status, run->final_error);
    return successes / static_cast<double>(runs.size());
  };
  CHECK(rate("256") >= 0.9);
  CHECK(rate("64") <= 0.3);
}
