// Validation sets (problem.validation) and early stopping on them (run.patience).

#include <doctest/doctest.h>

#include <set>

#include <fmt/format.h>

#include <ncvx/errors.hpp>
#include <ncvx/study/experiment.hpp>
#include <ncvx/study/output.hpp>
#include <ncvx/study/run_loop.hpp>
#include <ncvx/study/runner.hpp>

#include "support.hpp"

using namespace ncvx;

namespace {

/// 40 users x 30 items of a rank-2 model plus noise, 70 % rated.
std::string noisy_ratings() {
  RandomStream random(4, "test");
  Matrix U(40, 2), V(30, 2);
  random.fill_normal(U);
  random.fill_normal(V);
  std::string text;
  for (Index i = 0; i < 40; ++i)
    for (Index j = 0; j < 30; ++j)
      if (random.uniform() < 0.7) text += fmt::format("{} {} {}\n", i, j, 3.0 + U.row(i).dot(V.row(j)) + random.normal());
  return text;
}

std::string config(const std::string& file, const std::string& extra_problem, const std::string& run) {
  return fmt::format(R"(
problem: {{name: ratings, file: {}, heldout: 0.2{}}}
measurement: matrix_completion
methods: [{{label: gd, init: {{name: small_random, scale: 1e-3}}, optimizer: {{name: gd, line_search: true}}, width: 15}}]
run: {{iterations: 400, log_every: 5, seeds: [1, 2]{}}}
)",
                     file, extra_problem, run);
}

}  // namespace

TEST_CASE("validation: a seeded fraction of the observed entries, out of the fit, scored as validation_rmse") {
  test::TemporaryFolder folder("validation_split");
  const std::string file = folder.write("r.data", noisy_ratings()).string();
  const Experiment plain = test::experiment_from(config(file, "", ""));
  const Experiment held = test::experiment_from(config(file, ", validation: 0.25", ""));
  CHECK(held.column("validation_rmse") >= 0);
  CHECK(plain.column("validation_rmse") < 0);
  const auto whole = build_instance(plain.run(0), plain, test::plugins());
  const auto split = build_instance(held.run(0), held, test::plugins());
  const auto again = build_instance(held.run(0), held, test::plugins());
  const auto other = build_instance(held.run(1), held, test::plugins());
  REQUIRE(split->validation().has_value());
  const std::size_t total = whole->observed()->size(), validation = split->validation()->size();
  CHECK(validation == static_cast<std::size_t>(std::llround(0.25 * static_cast<double>(total))));
  CHECK(split->observed()->size() + validation == total);
  CHECK(split->measurement().measurements() == static_cast<Index>(total - validation));  // not fitted
  CHECK(split->heldout()->values == whole->heldout()->values);  // the test set is untouched
  CHECK(again->validation()->values == split->validation()->values);
  CHECK(other->validation()->values != split->validation()->values);
  std::set<std::pair<std::int32_t, std::int32_t>> fitted;
  for (std::size_t e = 0; e < split->observed()->size(); ++e)
    fitted.insert({split->observed()->rows[e], split->observed()->columns[e]});
  for (std::size_t e = 0; e < validation; ++e)
    CHECK(fitted.count({split->validation()->rows[e], split->validation()->columns[e]}) == 0);
}

TEST_CASE("validation: the chosen iterate is the lowest validation_rmse, and early stopping ends the run after "
          "`patience` logged iterations without improvement") {
  test::TemporaryFolder folder("validation_stop");
  const std::string file = folder.write("r.data", noisy_ratings()).string();
  const test::Study free = test::study(config(file, ", validation: 0.2", ""));
  const test::Study stopped = test::study(config(file, ", validation: 0.2", ", patience: 4"));
  const int column = free.experiment.column("validation_rmse"), error = free.experiment.column("heldout_rmse");
  for (std::size_t r = 0; r < free.results.runs.size(); ++r) {
    const RunResult& run = free.results.runs[r];
    CAPTURE(r);
    // The chosen iterate: the first logged minimum of validation_rmse; its error is heldout_rmse there.
    std::size_t best = 0;
    for (std::size_t row = 1; row < run.metrics.size(); ++row)
      if (run.metrics[row][static_cast<std::size_t>(column)] < run.metrics[best][static_cast<std::size_t>(column)])
        best = row;
    CHECK(run.chosen_iteration == run.logged_iterations[best]);
    CHECK(run.chosen_error == run.metrics[best][static_cast<std::size_t>(error)]);
    // The overparameterized fit of noisy ratings overfits: the validation chooses an early iterate.
    CHECK(run.chosen_iteration < 400);
    // Early stopping: the same trajectory, ended 4 logs after the chosen iterate, as converged.
    const RunResult& early = stopped.results.runs[r];
    CHECK(early.status == RunStatus::converged);
    CHECK(early.iterations == run.chosen_iteration + 4 * 5);
    CHECK(early.chosen_iteration == run.chosen_iteration);
    CHECK(early.chosen_error == run.chosen_error);
    CHECK(early.message.find("early stopping at iteration") != std::string::npos);
    for (std::size_t row = 0; row < early.metrics.size(); ++row) CHECK(early.metrics[row] == run.metrics[row]);
  }
  // summary.csv names the chosen iteration and its error.
  const std::string header = summary_header(stopped.experiment);
  CHECK(header.find(",chosen_iteration,chosen_heldout_rmse,") != std::string::npos);
  CHECK(header.find("final_validation_rmse") != std::string::npos);
}

TEST_CASE("validation: refused where it cannot apply, with the place and the reason") {
  auto error_of = [](const std::string& text) {
    try {
      test::experiment_from(text);
    } catch (const ConfigError& error) {
      return std::string(error.what());
    }
    return std::string();
  };
  const std::string generated = R"(
problem: {n: 8, rank: 1, validation: 0.1}
measurement: {name: gaussian_sensing, m: 40}
methods: [{label: gd, init: small_random, optimizer: gd, width: 2}]
)";
  CHECK(error_of(generated).find("test.yaml:2:") != std::string::npos);
  CHECK(error_of(generated).find("`low_rank_psd` generates X* and observes no entries") != std::string::npos);
  const std::string no_split = R"(
problem: {n: 8, rank: 1}
measurement: {name: gaussian_sensing, m: 40}
methods: [{label: gd, init: small_random, optimizer: gd, width: 2}]
run: {patience: 3}
)";
  CHECK(error_of(no_split).find("run.patience stops on validation_rmse") != std::string::npos);
  test::TemporaryFolder folder("validation_refused");
  const std::string file = folder.write("r.data", noisy_ratings()).string();
  CHECK(error_of(config(file, ", validation: 1.5", "")).find("problem.validation = 1.5 is out of range") !=
        std::string::npos);
}
