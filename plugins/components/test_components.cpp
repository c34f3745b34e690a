#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("components: X* has learned every component, components beyond the rank are NaN") {
  const auto instance = test::sensing_instance(8);  // rank 2
  const auto loss = test::loss("squared");
  const Objective f(instance->measurement(), *loss, instance->observations());
  const auto metric = test::plugins().find(PluginKind::metric, "components")
                          .create_metric(test::values_for(PluginKind::metric, "components", {{"count", std::int64_t{3}}}));
  const FactorSet& truth = instance->ground_truth().factors();
  double values[3];
  metric->evaluate({*instance, f, truth, truth, 0, 0.1}, values);
  CHECK(values[0] == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(values[1] == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(std::isnan(values[2]));
}

TEST_CASE("components: from a small start gd learns the components one at a time, largest first") {
  const test::Study study = test::study(R"(
problem: {name: low_rank_psd, n: 20, rank: 3, spectrum: list, values: [1, 0.5, 0.25]}
measurement: {name: gaussian_sensing, m: 600}
methods:
  - {label: gd, init: {name: small_random, scale: 1.0e-6}, optimizer: {name: gd, step: 0.1}, width: 20}
metrics: [{name: components, count: 3}]
run: {iterations: 1500, log_every: 100, seeds: [1, 2]}
)");
  for (const RunResult* run : study.runs("gd")) {
    const double first = study.summary(*run, "learned_iteration_1"), second = study.summary(*run, "learned_iteration_2"),
                 third = study.summary(*run, "learned_iteration_3");
    CAPTURE(first);
    CAPTURE(second);
    CAPTURE(third);
    // Each component takes about twice as long as the one before (sigma halves).
    CHECK(second >= 1.5 * first);
    CHECK(third >= 1.5 * second);
  }
}
