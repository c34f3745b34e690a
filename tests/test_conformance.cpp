// The conformance suite passes every built-in plugin and catches broken ones.

#include <doctest/doctest.h>

#include <ncvx/testing/conformance.hpp>

#include "support.hpp"

using namespace ncvx;

namespace {
const std::filesystem::path kFixtures = NCVX_TEST_FIXTURE_DIR;

/// The conformance checks of a fixture plugin (tests/fixtures/<name>_plugin.cpp).
std::vector<ConformanceCheck> checks_of(const std::string& fixture) {
  PluginRegistry registry;
  return check_plugin(registry.load(kFixtures / fixture / ("ncvx_" + fixture + ".so")));
}

const ConformanceCheck& find_check(const std::vector<ConformanceCheck>& checks, const std::string& prefix) {
  for (const auto& check : checks)
    if (check.name.rfind(prefix, 0) == 0) return check;
  FAIL("no check named " << prefix);
  return checks.front();
}
}  // namespace

TEST_CASE("conformance: every built-in plugin conforms (through the doctest kit)") {
  const auto plugins = test::plugins().plugins();
  REQUIRE(plugins.size() >= 10);
  for (const LoadedPlugin* plugin : plugins) {
    CAPTURE(plugin->describe());
    testing::check_conformance(*plugin);
    CHECK(all_passed(check_plugin(*plugin)));
  }
}

TEST_CASE("conformance: a wrong adjoint fails the adjoint identity, and the table says so") {
  const auto checks = checks_of("broken_adjoint");
  CHECK_FALSE(all_passed(checks));
  const auto& adjoint = find_check(checks, "adjoint identity");
  CHECK(adjoint.outcome == CheckOutcome::failed);
  CHECK(adjoint.measured > 1e-3);
  CHECK(find_check(checks, "factored forward").outcome == CheckOutcome::passed);
  CHECK(find_check(checks, "E|A(Z)|^2").outcome == CheckOutcome::skipped);
  const std::string table = conformance_table(checks);
  CHECK(table.find("adjoint identity <A(X), v> = <X, A*(v)>") != std::string::npos);
  CHECK(table.find("FAIL") != std::string::npos);
}

TEST_CASE("conformance: a wrong derivative fails the finite-difference check") {
  const auto checks = checks_of("broken_loss");
  const auto& derivative = find_check(checks, "derivative against central finite differences");
  CHECK(derivative.outcome == CheckOutcome::failed);
  CHECK(derivative.measured > 0.1);
}

TEST_CASE("conformance: an optimizer that throws fails, quoting the exception") {
  const auto checks = checks_of("throwing");
  CHECK_FALSE(all_passed(checks));
  const auto& nan = find_check(checks, "no NaN");
  CHECK(nan.outcome == CheckOutcome::failed);
  CHECK(nan.detail.find("step exploded on purpose") != std::string::npos);
}

TEST_CASE("conformance: a NaN derivative fails the finite-difference check, named as NaN") {
  const auto checks = checks_of("nan_loss");
  const auto& derivative = find_check(checks, "derivative against central finite differences");
  CHECK(derivative.outcome == CheckOutcome::failed);
  CHECK(std::isnan(derivative.measured));
  CHECK(derivative.detail.find("not a number") != std::string::npos);
}

TEST_CASE("conformance: an exception that is not a std::exception fails its check instead of aborting") {
  const auto checks = checks_of("odd_throw");
  CHECK_FALSE(all_passed(checks));
  const auto& nan = find_check(checks, "no NaN");
  CHECK(nan.outcome == CheckOutcome::failed);
  CHECK(nan.detail.find("not a std::exception") != std::string::npos);
}

TEST_CASE("conformance: in a run, such an exception fails the run with its plugin named") {
  PluginRegistry registry;
  registry.scan({NCVX_TEST_PLUGIN_DIR, kFixtures / "odd_throw"});
  const Experiment experiment = test::experiment_from(R"(
problem: {n: 6, rank: 1}
measurement: {name: gaussian_sensing, m: 30}
methods: [{label: odd, init: small_random, optimizer: odd_throw, width: 1}]
run: {iterations: 5, seeds: [1]}
)",
                                                      registry);
  const RunResult run = run_experiment(experiment, registry, test::options(1)).runs.front();
  CHECK(run.status == RunStatus::failed);
  CHECK(run.message.find("optimizer `odd_throw`") != std::string::npos);
  CHECK(run.message.find("unknown exception") != std::string::npos);
}
