// Configuration: validation errors with file:line:column and the nearest
// valid name, sweeps (product, zip, per-method), seeds and overrides.

#include <doctest/doctest.h>

#include <ncvx/errors.hpp>
#include <ncvx/study/experiment.hpp>

#include "support.hpp"

using namespace ncvx;

namespace {

const char* const kValid = R"(name: sample
problem:
  n: 10
  rank: 2
measurement:
  name: gaussian_sensing
  m: 100
methods:
  - label: small
    init: {name: small_random, scale: 1e-3}
    optimizer: {name: gd, step: 0.1}
    width: 10
  - label: spectral
    init: spectral
    optimizer: gd
    width: 2
run:
  iterations: 20
  seeds: [1, 2]
)";

/// The error message of loading `text` (with `overrides`), or "" if it loads.
std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  test::TemporaryFolder folder("config");
  const auto file = folder.write("bad.yaml", text);
  try {
    load_experiment(file.string(), overrides, test::plugins());
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    // Report relative to the file name only.
    const auto at = message.find("bad.yaml");
    return at == std::string::npos ? message : message.substr(at);
  }
  return "";
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

Experiment load(const std::string& text, const std::vector<std::string>& overrides = {}) {
  test::TemporaryFolder folder("config-ok");
  const auto file = folder.write("ok.yaml", text);
  return load_experiment(file.string(), overrides, test::plugins());
}

}  // namespace

TEST_CASE("config: a valid file expands to methods x seeds with defaults filled in") {
  CHECK(error_of(kValid).empty());
  const Experiment experiment = load(kValid);
  CHECK(experiment.run_count() == 4);
  CHECK(experiment.seeds.values() == std::vector<std::uint64_t>{1, 2});
  const RunSpec run = experiment.run(0);
  CHECK(run.method.label == "small");
  CHECK(run.method.initializer.values.real("scale") == 1e-3);
  CHECK(run.method.initializer.values.choice("entry_variance") == "inverse_width");
  CHECK(run.method.loss.name == "squared");
  CHECK(run.settings.log_every == 10);
  CHECK(experiment.problem_of(run).choice.name == "low_rank_psd");
  CHECK(std::get<std::int64_t>(test::problem_value(experiment, run, "n")) == 10);
  // Both methods of one seed share the instance; seeds do not.
  CHECK(experiment.run(0).instance_key == experiment.run(1).instance_key);
  CHECK(experiment.run(0).instance_key != experiment.run(2).instance_key);
}

TEST_CASE("config: unknown key names file:line:column and the nearest valid key") {
  const std::string message = error_of(replace(kValid, "scale: 1e-3", "scle: 1e-3"));
  CHECK(message.rfind("bad.yaml:10:32: unknown key 'scle'", 0) == 0);
  CHECK(message.find("did you mean 'scale'?") != std::string::npos);
  CHECK(message.find("Valid keys: name, scale, entry_variance") != std::string::npos);

  const std::string top = error_of(replace(kValid, "run:", "rn:"));
  CHECK(top.rfind("bad.yaml:17:1: unknown key 'rn'", 0) == 0);
  CHECK(top.find("did you mean 'run'?") != std::string::npos);

  const std::string method = error_of(replace(kValid, "    width: 2", "    widht: 2"));
  CHECK(method.rfind("bad.yaml:16:5: unknown key 'widht'", 0) == 0);
  CHECK(method.find("'width'") != std::string::npos);
}

TEST_CASE("config: wrong type and out of range name the constraint") {
  const std::string type = error_of(replace(kValid, "m: 100", "m: many"));
  CHECK(type.rfind("bad.yaml:7:6: measurement `gaussian_sensing`.m = 'many' is not an integer", 0) == 0);

  const std::string range = error_of(replace(kValid, "step: 0.1", "step: -0.1"));
  CHECK(range.rfind("bad.yaml:11:33:", 0) == 0);
  CHECK(range.find("is out of range. Violated constraint: step > 0") != std::string::npos);

  const std::string fraction = error_of(replace(kValid, "rank: 2", "rank: 2.5"));
  CHECK(fraction.rfind("bad.yaml:4:9: problem `low_rank_psd`.rank = '2.5' is not an integer", 0) == 0);

  const std::string choice = error_of(replace(kValid, "rank: 2", "rank: 2\n  spectrum: geometrik"));
  CHECK(choice.find("bad.yaml:5:13:") == 0);
  CHECK(choice.find("did you mean 'geometric'?") != std::string::npos);

  const std::string rank = error_of(replace(kValid, "rank: 2", "rank: 20"));
  CHECK(rank.find("rank <= n") != std::string::npos);
}

TEST_CASE("config: unknown plugin lists what exists and the nearest name") {
  const std::string message = error_of(replace(kValid, "init: spectral", "init: spectal"));
  CHECK(message.rfind("bad.yaml:14:11: unknown initializer 'spectal'; did you mean 'spectral'?", 0) == 0);
  CHECK(message.find("Available initializer plugins: orthogonal, scaled_identity, small_random, spectral, truncated_spectral.") !=
        std::string::npos);

  const std::string kind = error_of(replace(kValid, "optimizer: gd", "optimizer: spectral"));
  CHECK(kind.find("'spectral' is a initializer plugin") != std::string::npos);
}

TEST_CASE("config: YAML syntax errors and structural mistakes have locations") {
  CHECK(error_of("problem: {n: 3\nmeasurement: x\n").find("bad.yaml:") == 0);
  CHECK(error_of(replace(kValid, "    width: 10\n", "")).find("has no `width`") != std::string::npos);
  const std::string duplicate = error_of(replace(kValid, "label: spectral", "label: small"));
  CHECK(duplicate.find("two methods have the label 'small'") != std::string::npos);
  CHECK(error_of(replace(kValid, "seeds: [1, 2]", "seeds: [1, 2]\n  repetitions: 3"))
            .find("either run.seeds or run.seed with run.repetitions") != std::string::npos);
}

TEST_CASE("config: lists sweep as a cartesian product, zip pairs, method axes stay local") {
  const std::string text =
      replace(replace(replace(kValid, "n: 10", "n: [10, 12]"), "m: 100", "m: [100, 150]"),
              "scale: 1e-3", "scale: [1e-2, 1e-3, 1e-4]");
  const Experiment product = load(text);
  // 2 x 2 global points x 2 seeds x (3 small + 1 spectral)
  CHECK(product.run_count() == 2 * 2 * 2 * 4);
  CHECK(product.axes == std::vector<std::string>{"problem.n", "measurement.m", "init.scale"});

  const Experiment zipped = load(text + "sweep:\n  zip: [[problem.n, measurement.m]]\n");
  CHECK(zipped.run_count() == 2 * 2 * 4);
  for (const auto& run : test::runs_of(zipped)) {
    const bool small = std::get<std::int64_t>(test::problem_value(zipped, run, "n")) == 10;
    CHECK(run.measurement.values.integer("m") == (small ? 100 : 150));
  }
  const std::string unequal = error_of(replace(text, "m: [100, 150]", "m: [100, 150, 200]") +
                                       "sweep:\n  zip: [[problem.n, measurement.m]]\n");
  CHECK(unequal.find("zipped sweeps must have equal lengths") != std::string::npos);
  const std::string typo = error_of(text + "sweep:\n  zip: [[problem.n, measurement.mm]]\n");
  CHECK(typo.rfind("bad.yaml:21:21: 'measurement.mm' in sweep.zip is not a swept key", 0) == 0);
  CHECK(typo.find("did you mean 'measurement.m'?") != std::string::npos);

  // A sweep value that is invalid is reported at the list item itself.
  const std::string item = error_of(replace(kValid, "scale: 1e-3", "scale: [1e-3, -1]"));
  CHECK(item.rfind("bad.yaml:10:46:", 0) == 0);
}

TEST_CASE("config: command-line overrides apply on top and are reported as such") {
  const Experiment experiment =
      load(kValid, {"run.iterations=5", "methods.small.init.scale=1e-5", "methods.1.width=3",
                    "problem.n=[10, 11]", "methods.spectral.init.solver=dense"});
  CHECK(experiment.run(0).settings.iterations == 5);
  CHECK(experiment.run(0).method.initializer.values.real("scale") == 1e-5);
  CHECK(experiment.run_count() == 8);
  for (const auto& run : test::runs_of(experiment))
    if (run.method.label == "spectral") {
      CHECK(run.method.width == 3);
      CHECK(run.method.initializer.values.choice("solver") == "dense");
    }
  const std::string message = error_of(kValid, {"run.iteratons=5"});
  CHECK(message.rfind("command-line override `run.iteratons=5`: unknown key 'iteratons' in run; "
                      "did you mean 'iterations'?",
                      0) == 0);
  CHECK(error_of(kValid, {"methods.smal.width=3"}).find("did you mean 'small'?") != std::string::npos);
  CHECK(error_of(kValid, {"run.iterations=-1"}).find("out of range") != std::string::npos);
}

TEST_CASE("config: the resolved tree loads again to the same runs") {
  const Experiment first = load(replace(kValid, "scale: 1e-3", "scale: [1e-3, 1e-4]"));
  const std::string resolved = first.resolved.to_yaml();
  CHECK(resolved.find("entry_variance: inverse_width") != std::string::npos);
  CHECK(resolved.find("divergence_factor: 1000000") != std::string::npos);
  const Experiment second = load(resolved);
  REQUIRE(second.run_count() == first.run_count());
  for (std::size_t i = 0; i < first.run_count(); ++i) {
    CHECK(second.run(i).instance_key == first.run(i).instance_key);
    CHECK(second.run(i).method.initializer.values.all() == first.run(i).method.initializer.values.all());
  }
}

TEST_CASE("config: a list of components sweeps the plugin itself, labelled by name") {
  const Experiment experiment = load(replace(
      kValid, "    init: spectral\n", "    init: [spectral, {name: small_random, scale: 1e-2}]\n"));
  std::vector<std::string> labels;
  for (const auto& run : test::runs_of(experiment))
    if (run.method.label == "spectral" && run.seed == 1) {
      REQUIRE(run.swept.size() == 1);
      CHECK(run.swept.front().axis == "init");
      labels.push_back(run.swept.front().value);
      CHECK(run.method.initializer.name == run.swept.front().value);
    }
  CHECK(labels == std::vector<std::string>{"spectral", "small_random"});
}

TEST_CASE("config: a method's own iterations, max_seconds and stop rules replace run's for its runs") {
  const Experiment experiment = test::experiment_from(R"(
problem: {n: 8, rank: 1}
measurement: {name: gaussian_sensing, m: 60}
methods:
  - {label: short, init: spectral, optimizer: gd, width: 1, iterations: 5, max_seconds: 30}
  - {label: stops, init: spectral, optimizer: gd, width: 1, stop: {test_error: 1.0e-2}}
  - {label: swept, init: spectral, optimizer: gd, width: 1, iterations: [3, 7]}
  - {label: plain, init: spectral, optimizer: gd, width: 1}
run: {iterations: 200, log_every: 1, seeds: [1], stop: {train_loss: 1.0e-30}}
)");
  std::map<std::string, std::vector<RunSpec>> runs;
  for (std::size_t i = 0; i < experiment.run_count(); ++i) runs[experiment.run(i).method.label].push_back(experiment.run(i));
  CHECK(runs["short"][0].settings.iterations == 5);
  CHECK(runs["short"][0].settings.max_seconds == 30.0);
  CHECK(runs["short"][0].settings.stop.size() == 1);  // run.stop, since it sets none of its own
  CHECK(runs["stops"][0].settings.iterations == 200);
  REQUIRE(runs["stops"][0].settings.stop.size() == 1);
  CHECK(runs["stops"][0].settings.stop[0].column == "test_error");
  REQUIRE(runs["swept"].size() == 2);
  CHECK(runs["swept"][0].settings.iterations == 3);
  CHECK(runs["swept"][1].settings.iterations == 7);
  CHECK(runs["plain"][0].settings.iterations == 200);
  // The runs follow their own budgets.
  const ExperimentResults all = run_experiment(experiment, test::plugins(), test::options(2));
  for (const auto& result : all.runs) {
    const RunSpec run = experiment.run(static_cast<std::size_t>(result.id));
    if (run.method.label == "short") CHECK(result.iterations == 5);
    if (run.method.label == "stops") {
      CHECK(result.status == RunStatus::converged);
      CHECK(result.final_error <= 1e-2);
      CHECK(result.iterations < 200);
    }
  }
  // A method's stop rule names a column, with its location.
  CHECK_THROWS_WITH_AS(test::experiment_from(R"(
problem: {n: 8, rank: 1}
measurement: {name: gaussian_sensing, m: 60}
methods:
  - {label: typo, init: spectral, optimizer: gd, width: 1, stop: {test_eror: 1.0e-2}}
)"),
                       doctest::Contains("method 'typo' stop.test_eror is not a column of metrics.csv; did you mean "
                                         "'test_error'?"),
                       ConfigError);
}
