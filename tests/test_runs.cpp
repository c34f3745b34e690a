// End-to-end runs through the core loop: recovery at the paper's setting,
// determinism across repetitions and thread counts, divergence and plugin
// failures that leave the rest of the sweep intact.

#include <doctest/doctest.h>

#include <ncvx/experiment.hpp>
#include <ncvx/runner.hpp>

#include "support.hpp"

using namespace ncvx;

namespace {

Experiment experiment_from(const std::string& text, const PluginRegistry& registry = test::plugins()) {
  return make_experiment(parse_config_text(text, {"test.yaml", 0, 0, ""}), "test.yaml", registry);
}

const RunResult& only(const std::vector<RunResult>& results, const Experiment& experiment,
                      const std::string& label) {
  for (const auto& result : results)
    if (experiment.runs[static_cast<std::size_t>(result.id)].method.label == label) return result;
  FAIL("no run labelled " << label);
  return results.front();
}

}  // namespace

TEST_CASE("runs: GD from small random init at k = n recovers X* (n = 40, r = 2, m = 10nr)") {
  const Experiment experiment = experiment_from(R"(
problem: {n: 40, rank: 2, condition_number: 2}
measurement: {name: gaussian_sensing, m: 800}
methods:
  - {label: small, init: {name: small_random, scale: 1e-4}, optimizer: {name: gd, step: 0.1}, width: 40}
run: {iterations: 1500, log_every: 100, seeds: [7]}
)");
  const auto results = run_experiment(experiment, test::plugins(), {1, {}}).runs;
  const RunResult& run = results.front();
  CHECK(run.status == RunStatus::budget);
  CHECK(run.final_test_error < 1e-4);
  CHECK(run.final_train_loss < 1e-8);
  CHECK(run.metrics.front()[1] == doctest::Approx(1.0).epsilon(1e-3));  // U_0 ~ 0: error ~ 1
  CHECK(run.logged_iterations.front() == 0);
  CHECK(run.logged_iterations.back() == 1500);
}

TEST_CASE("runs: GD from small random init recovers X* from completion at p = 0.5") {
  const Experiment experiment = experiment_from(R"(
problem: {n: 40, rank: 2, condition_number: 2}
measurement: {name: matrix_completion, p: 0.5}
methods:
  - {label: small, init: {name: small_random, scale: 1e-6}, optimizer: {name: gd, step: 0.2}, width: 40}
run: {iterations: 4000, log_every: 500, seeds: [1]}
)");
  const auto results = run_experiment(experiment, test::plugins(), {1, {}}).runs;
  CHECK(results.front().final_test_error < 1e-4);
}

TEST_CASE("runs: bit-identical across repetitions and thread counts") {
  const Experiment experiment = experiment_from(R"(
problem: {n: 12, rank: 2}
measurement: {name: gaussian_sensing, m: [60, 90]}
methods:
  - {label: small, init: {name: small_random, scale: [1e-2, 1e-3]}, optimizer: gd, width: 12}
  - {label: spectral, init: spectral, optimizer: gd, width: 2}
run: {iterations: 60, log_every: 7, seeds: [1, 2]}
)");
  REQUIRE(experiment.runs.size() == 12);
  const auto serial = run_experiment(experiment, test::plugins(), {1, {}}).runs;
  const auto again = run_experiment(experiment, test::plugins(), {1, {}}).runs;
  const auto parallel = run_experiment(experiment, test::plugins(), {2, {}}).runs;
  const auto wide = run_experiment(experiment, test::plugins(), {5, {}}).runs;
  for (std::size_t i = 0; i < serial.size(); ++i) {
    CHECK(serial[i].metrics == again[i].metrics);
    CHECK(serial[i].metrics == parallel[i].metrics);
    CHECK(serial[i].metrics == wide[i].metrics);
    CHECK(serial[i].logged_iterations == parallel[i].logged_iterations);
  }
  // Logged every 7 iterations plus the last one.
  CHECK(serial.front().logged_iterations ==
        std::vector<Index>{0, 7, 14, 21, 28, 35, 42, 49, 56, 60});
  // Different seeds give different numbers (the streams are really derived from the seed).
  CHECK(serial[0].metrics != serial[6].metrics);
}

TEST_CASE("runs: a diverging run is marked diverged and the others go on") {
  const Experiment experiment = experiment_from(R"(
problem: {n: 10, rank: 2}
measurement: {name: gaussian_sensing, m: 100}
methods:
  - {label: wild, init: {name: small_random, scale: 1.0}, optimizer: {name: gd, step: 50}, width: 10}
  - {label: calm, init: {name: small_random, scale: 1e-3}, optimizer: {name: gd, step: 0.1}, width: 10}
run: {iterations: 300, log_every: 10, seeds: [3]}
)");
  const auto results = run_experiment(experiment, test::plugins(), {2, {}}).runs;
  const RunResult& wild = only(results, experiment, "wild");
  CHECK(wild.status == RunStatus::diverged);
  CHECK(wild.message.find("try a smaller step") != std::string::npos);
  CHECK(wild.iterations < 300);
  const RunResult& calm = only(results, experiment, "calm");
  CHECK(calm.status == RunStatus::budget);
  CHECK(calm.final_test_error < 1e-2);
}

TEST_CASE("runs: stopping tolerances end a run as converged") {
  const Experiment experiment = experiment_from(R"(
problem: {n: 10, rank: 2}
measurement: {name: gaussian_sensing, m: 200}
methods:
  - {label: spectral, init: spectral, optimizer: gd, width: 2}
run: {iterations: 5000, log_every: 5, test_error_below: 1e-8, seeds: [1]}
)");
  const auto results = run_experiment(experiment, test::plugins(), {1, {}}).runs;
  CHECK(results.front().status == RunStatus::converged);
  CHECK(results.front().final_test_error <= 1e-8);
  CHECK(results.front().iterations < 5000);
  CHECK(results.front().iterations % 5 == 0);
}

TEST_CASE("runs: a plugin that throws fails its run, named, and the sweep goes on") {
  PluginRegistry registry;
  registry.scan({NCVX_TEST_PLUGIN_DIR, std::filesystem::path(NCVX_TEST_FIXTURE_DIR) / "throwing"});
  const Experiment experiment = experiment_from(R"(
problem: {n: 8, rank: 1}
measurement: {name: gaussian_sensing, m: 50}
methods:
  - {label: broken, init: small_random, optimizer: {name: throwing, fail_after: 4}, width: 2}
  - {label: fine, init: small_random, optimizer: gd, width: 2}
run: {iterations: 20, seeds: [1]}
)",
                                                registry);
  const auto results = run_experiment(experiment, registry, {2, {}}).runs;
  const RunResult& broken = only(results, experiment, "broken");
  CHECK(broken.status == RunStatus::failed);
  CHECK(broken.message.find("optimizer `throwing`") != std::string::npos);
  CHECK(broken.message.find("failed while stepping: step exploded on purpose") != std::string::npos);
  CHECK(only(results, experiment, "fine").status == RunStatus::budget);
}
