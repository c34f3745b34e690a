// The behaviours of docs/theory.md §6, at the paper's small setting
// (n = 40, r = 2, m = 800, mu = 0.1, GOE), each a check that fails if the
// dynamics, the diagnostics or the conventions are wrong.

#include <doctest/doctest.h>

#include <cmath>

#include <fmt/format.h>

#include <ncvx/study/experiment.hpp>
#include <ncvx/study/plot.hpp>
#include <ncvx/study/runner.hpp>

#include "support.hpp"

using namespace ncvx;

namespace {

struct Outcome {
  Experiment experiment;
  ExperimentResults results;
};

Outcome run(const std::string& text) {
  Outcome outcome{make_experiment(parse_config_text(text, {"paper.yaml", 0, 0, ""}), "paper.yaml",
                                  test::plugins()),
                  {}};
  outcome.results = run_experiment(outcome.experiment, test::plugins(), test::options(2));
  return outcome;
}

double scale_of(const RunSpec& run) { return run.method.initializer.values.real("scale"); }

}  // namespace

TEST_CASE("paper: iterations to fit grow linearly in log(1/alpha) at the predicted rate") {
  for (const double kappa : {5.0, 2.0}) {
    CAPTURE(kappa);
    const Outcome outcome = run(fmt::format(R"(
problem: {{n: 40, rank: 2, condition_number: {}}}
measurement: {{name: gaussian_sensing, m: 800}}
methods:
  - {{label: gd, init: {{name: small_random, scale: [1e-2, 1e-3, 1e-4, 1e-5, 1e-6]}}, optimizer: {{name: gd, step: 0.1}}, width: 40}}
metrics: [phases]
run: {{iterations: 800, log_every: 800, seeds: [1, 2, 3]}}
)",
                                            kappa));
    double slope_sum = 0, lambda_prediction = 0, sigma_prediction = 0;
    for (const std::uint64_t seed : outcome.experiment.seeds.values()) {
      std::vector<double> decades, fits;
      for (const auto& result : outcome.results.runs) {
        const RunSpec spec = outcome.experiment.run(static_cast<std::size_t>(result.id));
        if (spec.seed != seed) continue;
        const double fit = test::summary_value(outcome.experiment, result, "fit_iteration");
        REQUIRE(fit > 0);
        decades.push_back(std::log10(1.0 / scale_of(spec)));
        fits.push_back(fit);
        lambda_prediction +=
            test::summary_value(outcome.experiment, result, "predicted_iterations_per_decade") / 15.0;
        sigma_prediction +=
            test::summary_value(outcome.experiment, result, "predicted_iterations_per_decade_sigma_r") / 15.0;
      }
      const auto [slope, intercept] = fit_line(decades, fits);
      // Linear: every point within 10% of a decade's worth of iterations from the line.
      for (std::size_t i = 0; i < fits.size(); ++i)
        CHECK(std::abs(fits[i] - (intercept + slope * decades[i])) < 0.1 * slope);
      slope_sum += slope / 3.0;
    }
    MESSAGE("kappa = " << kappa << ": " << slope_sum << " iterations per decade; predicted "
                       << lambda_prediction << " (lambda_r(M)), " << sigma_prediction << " (sigma_r)");
    if (kappa == 5.0) {
      // docs/theory.md §6: measured 116-122 against 116 = ln(10)/ln(1 + 0.1 * 0.2).
      CHECK(std::abs(slope_sum / sigma_prediction - 1) < 0.25);
    } else {
      // At kappa = 2 the power-method rate lambda_r(M) of phase I predicts it.
      CHECK(std::abs(slope_sum / lambda_prediction - 1) < 0.25);
    }
  }
}

TEST_CASE("paper: the best test error falls with alpha, log-log slope in [0.8, 2.0]") {
  const Outcome outcome = run(R"(
problem: {n: 40, rank: 2, condition_number: 2}
measurement: {name: gaussian_sensing, m: 800}
methods:
  - {label: gd, init: {name: small_random, scale: [1e-3, 1e-4, 1e-5, 1e-6]}, optimizer: {name: gd, step: 0.1}, width: 40}
run: {iterations: 4000, log_every: 100, seeds: [1]}
)");
  std::vector<double> log_scale, log_error;
  for (const auto& result : outcome.results.runs) {
    log_scale.push_back(std::log10(scale_of(outcome.experiment.run(static_cast<std::size_t>(result.id)))));
    log_error.push_back(std::log10(result.best_error));
    CHECK(result.final_train_loss < 1e-7);  // training loss near zero for every small alpha
  }
  const double slope = fit_line(log_scale, log_error).first;
  MESSAGE("log-log slope " << slope << " (docs/theory.md §6: 1.25)");
  CHECK(slope > 0.8);
  CHECK(slope < 2.0);
  // Calibration of docs/theory.md §6 at alpha = 1e-4: 1.4e-5.
  CHECK(outcome.results.runs[1].best_error > 0.5e-5);
  CHECK(outcome.results.runs[1].best_error < 4e-5);
}

TEST_CASE("paper: with k = r, GD converges linearly below 1e-10 for every alpha") {
  const Outcome outcome = run(R"(
problem: {n: 40, rank: 2, condition_number: 2}
measurement: {name: gaussian_sensing, m: 800}
methods:
  - {label: exact, init: {name: small_random, scale: [1e-2, 1e-4, 1e-6]}, optimizer: {name: gd, step: 0.1}, width: 2}
run: {iterations: 2000, log_every: 10, seeds: [1]}
)");
  for (const auto& result : outcome.results.runs) {
    CHECK(result.final_error < 1e-10);
    // Linear rate: the iterations from 1e-4 to 1e-7 and from 1e-7 to 1e-10 agree within 30%.
    auto first_below = [&](double level) {
      for (std::size_t row = 0; row < result.metrics.size(); ++row)
        if (result.metrics[row][1] < level) return static_cast<double>(result.logged_iterations[row]);
      return -1.0;
    };
    const double early = first_below(1e-7) - first_below(1e-4);
    const double late = first_below(1e-10) - first_below(1e-7);
    CHECK(early > 0);
    CHECK(late / early == doctest::Approx(1.0).epsilon(0.3));
  }
}

TEST_CASE("paper: alpha = 1 overfits at k = n, m < n(n+1)/2, alpha = 1e-6 generalizes") {
  const Outcome outcome = run(R"(
problem: {n: 40, rank: 2, condition_number: 2}
measurement: {name: gaussian_sensing, m: 400}
methods:
  - {label: gd, init: {name: small_random, scale: [1.0, 1e-6]}, optimizer: {name: gd, step: 0.1}, width: 40}
run: {iterations: 6000, log_every: 100, seeds: [1]}
)");
  const RunResult& large = outcome.results.runs[0];
  const RunResult& small = outcome.results.runs[1];
  REQUIRE(scale_of(outcome.experiment.run(0)) == 1.0);
  MESSAGE("alpha = 1: train " << large.final_train_loss << ", test " << large.final_error
                              << "; alpha = 1e-6: test " << small.final_error);
  CHECK(large.final_train_loss < 1e-8);
  CHECK(large.final_error > 100 * small.final_error);
  CHECK(large.final_error > 0.1);
}
