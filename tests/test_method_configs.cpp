// The configurations of configs/methods load, and the fast ones show what
// their comment claims at their own size (the plugins' tests check each effect
// at a smaller one).

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include <cmath>

#include <ncvx/study/experiment.hpp>
#include <ncvx/study/output.hpp>
#include <ncvx/study/plot.hpp>
#include <ncvx/study/runner.hpp>

#include "ncvx/study/device_backend.hpp"
#include "support.hpp"

using namespace ncvx;

namespace {

const std::filesystem::path kConfigs = std::filesystem::path(NCVX_SOURCE_DIR) / "configs";

test::Study run_config(const std::string& name, const std::vector<std::string>& overrides) {
  test::Study outcome{load_experiment((kConfigs / "methods" / name).string(), overrides, test::plugins()), {}};
  outcome.results = run_experiment(outcome.experiment, test::plugins(), test::options(2));
  for (const auto& run : outcome.results.runs) CHECK_MESSAGE(run.status != RunStatus::failed, run.message);
  return outcome;
}

double iterations(const test::Study& study, const std::string& method, const std::string& axis = "",
                  const std::string& value = "") {
  return study.median(method, axis, value, [](const RunResult& r) {
    REQUIRE(r.status == RunStatus::converged);
    return static_cast<double>(r.iterations);
  });
}

}  // namespace

TEST_CASE("method configs: every configuration under configs/ loads") {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kConfigs)) {
    if (entry.path().extension() != ".yaml") continue;
    // A file problem whose data is an optional system package (the camera picture) may be absent.
    if (entry.path().filename() == "image_completion.yaml" &&
        !std::filesystem::exists("/usr/lib/python3/dist-packages/skimage/data/camera.png"))
      continue;
    CAPTURE(entry.path().string());
    // A device configuration loads where a device answers and is refused, with the reason, elsewhere.
    std::ifstream file(entry.path());
    const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::string why;
    if (text.find("backend: cuda") != std::string::npos && !device_backend(why))
      CHECK_THROWS_WITH_AS(load_experiment(entry.path().string(), {}, test::plugins()), doctest::Contains(why.c_str()),
                           ConfigError);
    else
      CHECK_NOTHROW(load_experiment(entry.path().string(), {}, test::plugins()));
    ++count;
  }
  CHECK(count >= 25);
}

TEST_CASE("method configs: scaled_gd.yaml, ScaledGD flat and gd linear in kappa") {
  const test::Study study = run_config("scaled_gd.yaml", {"problem.condition_number=[1, 20]", "run.seeds=[1]"});
  CHECK(iterations(study, "scaled_gd", "problem.condition_number", "20") <=
        1.25 * iterations(study, "scaled_gd", "problem.condition_number", "1"));
  CHECK(iterations(study, "gd", "problem.condition_number", "20") >=
        10 * iterations(study, "gd", "problem.condition_number", "1"));
}

TEST_CASE("method configs: momentum.yaml, momentum 0.8 needs 5x fewer iterations than gd") {
  const test::Study study = run_config("momentum.yaml", {"run.seeds=[1]"});
  CHECK(5 * iterations(study, "heavy_ball", "optimizer.momentum", "0.8") <= iterations(study, "gd"));
  CHECK(5 * iterations(study, "nesterov", "optimizer.momentum", "0.8") <= iterations(study, "gd"));
}

TEST_CASE("method configs: subgradient.yaml, l1 recovers with 10 % outliers where squared and Huber do not") {
  const test::Study study = run_config("subgradient.yaml", {"corruptions.0.fraction=0.1", "run.seeds=[1]"});
  const auto error = [](const RunResult& r) { return r.final_error; };
  CHECK(study.median("l1", "", "", error) <= 1e-5);
  CHECK(study.median("huber", "", "", error) >= 1e-2);
  CHECK(study.median("squared", "", "", error) >= 0.5);
}

TEST_CASE("method configs: structured_sensing.yaml, the slope of n = 40 takes m = 30 n r, not 10 n r") {
  // The config's m = 30 n r gives about the slope of Gaussian sensing at n = 40 (1.25); at
  // m = 10 n r the structured operator's spectral matrix has a wider bulk and the slope drops
  // (seed 1, 1000 iterations: 1.32 and 0.77).
  const test::Study study = run_config(
      "structured_sensing.yaml", {"measurement.m=[5120, 15360]", "run.seeds=[1]", "run.iterations=1000"});
  const auto slope = [&](const std::string& m) {
    std::vector<double> log_scale, log_error;
    for (const RunResult* result : study.runs("full_width", "measurement.m", m)) {
      const RunSpec run = study.experiment.run(static_cast<std::size_t>(result->id));
      log_scale.push_back(std::log10(run.method.initializer.values.real("scale")));
      log_error.push_back(std::log10(result->best_error));
    }
    REQUIRE(log_scale.size() == 4);
    return fit_line(log_scale, log_error).first;
  };
  const double dense = slope("15360"), sparse = slope("5120");
  MESSAGE("log-log slopes: " << dense << " at m = 30 n r, " << sparse << " at m = 10 n r");
  CHECK(dense > 1.1);
  CHECK(dense < 1.5);
  CHECK(sparse < dense - 0.4);
}

TEST_CASE("method configs: imbalanced_start.yaml, a more imbalanced start ends higher and keeps its imbalance") {
  const test::Study study =
      run_config("imbalanced_start.yaml", {"methods.gd.init.imbalance=[1, 30]", "run.seeds=[1]", "run.iterations=1000"});
  const auto error = [](const RunResult& r) { return r.final_error; };
  const double balanced = study.median("gd", "init.imbalance", "1", error);
  const double imbalanced = study.median("gd", "init.imbalance", "30", error);
  MESSAGE("test error at 1000: rho = 1 " << balanced << ", rho = 30 " << imbalanced);
  CHECK(imbalanced > 3 * balanced);
  CHECK(balanced < 1e-2);
}
