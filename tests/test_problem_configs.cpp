// Every configuration of configs/problems runs without core edits and shows
// what its comment claims, at a size that runs in seconds (overrides shorten
// the runs; the claims are the configurations' own).

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <ncvx/study/experiment.hpp>
#include <ncvx/study/runner.hpp>

#include "support.hpp"

using namespace ncvx;

namespace {

const std::filesystem::path kConfigs = std::filesystem::path(NCVX_SOURCE_DIR) / "configs" / "problems";

struct Outcome {
  Experiment experiment;
  std::vector<RunResult> runs;

  /// Median over seeds of the final error of a method (at an axis value, if given).
  double final_error(const std::string& label, const std::string& axis = "", const std::string& value = "") const {
    std::vector<double> values;
    for (const auto& run : runs) {
      const RunSpec spec = experiment.run(static_cast<std::size_t>(run.id));
      if (spec.method.label != label) continue;
      bool matches = axis.empty();
      for (const auto& swept : spec.swept) matches = matches || (swept.axis == axis && swept.value == value);
      if (matches) values.push_back(run.final_error);
    }
    REQUIRE_FALSE(values.empty());
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
  }
};

Outcome run_config(const std::string& name, const std::vector<std::string>& overrides) {
  Outcome outcome{load_experiment((kConfigs / name).string(), overrides, test::plugins()), {}};
  outcome.runs = run_experiment(outcome.experiment, test::plugins(), test::options(2)).runs;
  for (const auto& run : outcome.runs) CHECK_MESSAGE(run.status != RunStatus::failed, run.message);
  return outcome;
}

}  // namespace

TEST_CASE("problems config: asymmetric sensing, test error against L R^T") {
  const Outcome outcome = run_config("asymmetric_sensing.yaml", {"run.iterations=3000", "run.seeds=[1]"});
  CHECK(outcome.experiment.problems.front().description.shape == MatrixShape::rectangular(40, 30));
  CHECK_FALSE(outcome.experiment.run(0).method.symmetric_factorization());
  CHECK(outcome.final_error("spectral") < 1e-12);
  CHECK(outcome.final_error("small_random") < 1e-3);
}

TEST_CASE("problems config: sigma_i = 1/i^2 with r = 10") {
  const Outcome outcome = run_config("power_spectrum.yaml", {"problem.n=30", "measurement.m=1500",
                                                             "run.iterations=3000", "run.seeds=[1]"});
  CHECK(outcome.experiment.problems.front().description.rank == 10);
  const auto instance = build_instance(outcome.experiment.run(0), outcome.experiment, test::plugins());
  CHECK(instance->ground_truth().values()(9) == doctest::Approx(0.01));
  CHECK(outcome.final_error("spectral") < 1e-3);
  CHECK(outcome.final_error("small_random") < 0.1);
}

TEST_CASE("problems config: a ground truth from a file, completed") {
  const Outcome outcome = run_config("matrix_from_file.yaml", {"run.iterations=1500"});
  CHECK(outcome.experiment.problems.front().description.rank == 3);
  CHECK(outcome.final_error("spectral") < 1e-4);
  CHECK(outcome.final_error("small_random") < 1e-2);
}

TEST_CASE("problems config: image completion from 30 % of the pixels at a chosen rank") {
  // A generated 100 x 80 grayscale image (binary PGM) in place of the photograph: smooth
  // profiles of rank 5, rounded to 8 bits.
  test::TemporaryFolder folder("image");
  std::string pgm = "P5\n80 100\n255\n";
  for (int i = 0; i < 100; ++i)
    for (int j = 0; j < 80; ++j)
      pgm += static_cast<char>(std::lround(120 + 60 * std::sin(0.1 * i) * std::cos(0.13 * j) +
                                           40 * std::cos(0.07 * i) * std::sin(0.05 * j) + 20 * std::sin(0.2 * i + 0.1 * j)));
  const auto image = folder.write("picture.pgm", pgm);
  const Outcome outcome = run_config("image_completion.yaml", {"problem.file=" + image.string(), "run.iterations=1500",
                                                               "methods.spectral.optimizer.step=1", "methods.small_random.optimizer.step=1",
                                                               "methods.spectral.width=[5]", "methods.small_random.width=[5]"});
  CHECK(outcome.experiment.problems.front().description.shape == MatrixShape::rectangular(100, 80));
  // Near the best rank-5 approximation of the whole image (8-bit rounding: about 0.003).
  const auto instance = build_instance(outcome.experiment.run(0), outcome.experiment, test::plugins());
  const Eigen::JacobiSVD<Matrix> svd(instance->ground_truth().dense());
  const Vector& s = svd.singularValues();
  const double best = std::sqrt(s.tail(s.size() - 5).squaredNorm()) / s.norm();
  MESSAGE("best rank-5: " << best << ", spectral " << outcome.final_error("spectral") << ", small random "
                          << outcome.final_error("small_random"));
  CHECK(best < 0.01);
  CHECK(outcome.final_error("spectral") < 0.02);
  CHECK(outcome.final_error("small_random") < 0.02);
}

TEST_CASE("problems config: ratings with held-out RMSE") {
  const Outcome outcome = run_config("ratings.yaml", {});
  CHECK(outcome.experiment.error == "heldout_rmse");
  // At iteration 0 of the small start U V^T ~ 0: the prediction is the mean rating.
  const double mean_only = outcome.runs[1].metrics.front()[1];
  MESSAGE("held-out RMSE of the mean alone " << mean_only << ", rank-3 fit " << outcome.final_error("spectral_k3"));
  CHECK(outcome.final_error("spectral_k3") < 0.6 * mean_only);
}

TEST_CASE("problems config: 10 % outliers, l1 recovers where the squared loss fails (per-method loss)") {
  const Outcome outcome = run_config("outliers.yaml", {"run.seeds=[1]"});
  CHECK(outcome.experiment.run(0).method.loss.name == "squared");
  CHECK(outcome.experiment.run(2).method.loss.name == "l1");
  CHECK(outcome.final_error("squared") > 0.5);
  CHECK(outcome.final_error("huber") < 0.5 * outcome.final_error("squared"));
  CHECK(outcome.final_error("l1") < 1e-4);
}

TEST_CASE("problems config: trace-normalized Wishart X*, U_0 = sqrt(alpha) I") {
  // The published setting (step 0.5, alpha = 1e-1, 1e-3, 1e-6) on two seeds, all 5000 iterations: the
  // published medians 0.745, 0.0342, 0.00256 lie in the seeds' spread (the config's header has 20 seeds').
  const Outcome outcome = run_config("wishart_identity.yaml", {"run.repetitions=2"});
  const auto instance = build_instance(outcome.experiment.run(0), outcome.experiment, test::plugins());
  CHECK(instance->ground_truth().values().sum() == doctest::Approx(1.0));
  CHECK(outcome.experiment.run(0).method.optimizer.values.real("step") == 0.5);
  const double large = outcome.final_error("identity", "init.scale", "0.31622776601683794");
  const double middle = outcome.final_error("identity", "init.scale", "0.031622776601683794");
  const double small = outcome.final_error("identity", "init.scale", "0.001");
  MESSAGE("alpha 1e-1: " << large << ", 1e-3: " << middle << ", 1e-6: " << small);
  CHECK(large > 0.3);
  CHECK(large < 1.0);
  CHECK(middle > 0.02);
  CHECK(middle < 0.05);
  CHECK(small > 0.0015);
  CHECK(small < 0.004);
}

TEST_CASE("problems config: a MovieLens-sized ratings file converges with the optimizers' defaults and beats the "
          "users' means") {
  const Outcome outcome = run_config("movielens_like.yaml", {"run.seeds=[1]"});
  CHECK(outcome.experiment.error == "heldout_rmse");
  REQUIRE(outcome.runs.size() == 3);
  const auto instance = build_instance(outcome.experiment.run(0), outcome.experiment, test::plugins());
  CHECK(instance->shape() == MatrixShape::rectangular(943, 1682));
  CHECK(instance->observed()->size() + instance->heldout()->size() == 100000);
  for (const auto& run : outcome.runs) {
    const std::string label = outcome.experiment.run(static_cast<std::size_t>(run.id)).method.label;
    CAPTURE(label);
    CHECK(run.status == RunStatus::budget);  // no divergence without a tuned step
    const double user_means = test::summary_value(outcome.experiment, run, "row_mean_rmse");
    const double mean = test::summary_value(outcome.experiment, run, "mean_rmse");
    CHECK(user_means < mean);
    CHECK(run.best_error < 0.85 * user_means);
    if (label != "small_random_k20") CHECK(run.final_error < 0.85 * user_means);
  }
  // The small start overfits: its held-out RMSE rises well above its best.
  for (const auto& run : outcome.runs)
    if (outcome.experiment.run(static_cast<std::size_t>(run.id)).method.label == "small_random_k20")
      CHECK(run.final_error > 1.1 * run.best_error);
}
