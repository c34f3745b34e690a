// End-to-end runs through the core loop: recovery at the paper's setting,
// determinism across repetitions and thread counts, divergence and plugin
// failures that leave the rest of the sweep intact.

#include <doctest/doctest.h>

#include <set>

#include <ncvx/errors.hpp>
#include <ncvx/study/experiment.hpp>
#include <ncvx/study/lockstep.hpp>
#include <ncvx/study/output.hpp>
#include <ncvx/study/runner.hpp>

#include "support.hpp"

using namespace ncvx;

namespace {

Experiment experiment_from(const std::string& text, const PluginRegistry& registry = test::plugins()) {
  return make_experiment(parse_config_text(text, {"test.yaml", 0, 0, ""}), "test.yaml", registry);
}

const RunResult& only(const std::vector<RunResult>& results, const Experiment& experiment,
                      const std::string& label) {
  for (const auto& result : results)
    if (experiment.run(static_cast<std::size_t>(result.id)).method.label == label) return result;
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
  const auto results = run_experiment(experiment, test::plugins(), test::options(1)).runs;
  const RunResult& run = results.front();
  CHECK(run.status == RunStatus::budget);
  CHECK(run.final_error < 1e-4);
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
  const auto results = run_experiment(experiment, test::plugins(), test::options(1)).runs;
  CHECK(results.front().final_error < 1e-4);
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
  REQUIRE(experiment.run_count() == 12);
  const auto serial = run_experiment(experiment, test::plugins(), test::options(1)).runs;
  const auto again = run_experiment(experiment, test::plugins(), test::options(1)).runs;
  const auto parallel = run_experiment(experiment, test::plugins(), test::options(2)).runs;
  const auto wide = run_experiment(experiment, test::plugins(), test::options(5)).runs;
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
  const auto results = run_experiment(experiment, test::plugins(), test::options(2)).runs;
  const RunResult& wild = only(results, experiment, "wild");
  CHECK(wild.status == RunStatus::diverged);
  CHECK(wild.message.find("try a smaller step") != std::string::npos);
  CHECK(wild.iterations < 300);
  const RunResult& calm = only(results, experiment, "calm");
  CHECK(calm.status == RunStatus::budget);
  CHECK(calm.final_error < 1e-2);
}

TEST_CASE("runs: stopping tolerances end a run as converged") {
  const Experiment experiment = experiment_from(R"(
problem: {n: 10, rank: 2}
measurement: {name: gaussian_sensing, m: 200}
methods:
  - {label: spectral, init: spectral, optimizer: gd, width: 2}
run: {iterations: 5000, log_every: 5, test_error_below: 1e-8, seeds: [1]}
)");
  const auto results = run_experiment(experiment, test::plugins(), test::options(1)).runs;
  CHECK(results.front().status == RunStatus::converged);
  CHECK(results.front().final_error <= 1e-8);
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
  const ExperimentResults all = run_experiment(experiment, registry, test::options(2));
  const auto& results = all.runs;
  const RunResult& broken = only(results, experiment, "broken");
  CHECK(broken.status == RunStatus::failed);
  CHECK(broken.message.find("optimizer `throwing`") != std::string::npos);
  CHECK(broken.message.find("failed while stepping: step exploded on purpose") != std::string::npos);
  CHECK(only(results, experiment, "fine").status == RunStatus::budget);
  // The failed run logged iteration 0 but its numbers never count: NaN, and no number in the table.
  CHECK_FALSE(broken.metrics.empty());
  CHECK(std::isnan(broken.final_error));
  CHECK(std::isnan(broken.best_error));
  const std::string table = comparison_table(experiment, all);
  const auto broken_line = table.substr(table.find("broken"), table.find('\n', table.find("broken")) - table.find("broken"));
  CHECK(broken_line.find("e-") == std::string::npos);
  CHECK(broken_line.find(" - ") != std::string::npos);
  CHECK(broken_line.find("failed") != std::string::npos);
}

TEST_CASE("runs: an optimizer that resizes a factor fails its run, named, before any operator reads it") {
  PluginRegistry registry;
  registry.scan({NCVX_TEST_PLUGIN_DIR, std::filesystem::path(NCVX_TEST_FIXTURE_DIR) / "resizing"});
  const Experiment experiment = experiment_from(R"(
problem: {n: 8, rank: 1}
measurement: {name: gaussian_sensing, m: 50}
methods:
  - {label: returns, init: small_random, optimizer: {name: resizing, at: 2}, width: 2}
  - {label: evaluates, init: small_random, optimizer: {name: resizing, at: 2, evaluate: true}, width: 2}
  - {label: rectangular, init: small_random, optimizer: {name: resizing, at: 0, evaluate: true}, width: 2,
     factorization: asymmetric}
  - {label: fine, init: small_random, optimizer: gd, width: 2}
run: {iterations: 10, seeds: [1]}
)",
                                                registry);
  const ExperimentResults all = run_experiment(experiment, registry, test::options(2));
  const RunResult& returns = only(all.runs, experiment, "returns");
  CHECK(returns.status == RunStatus::failed);
  CHECK(returns.message.find("optimizer `resizing`") != std::string::npos);
  CHECK(returns.message.find("changed the factors' shape at iteration 2 (now U 11 x 2, it was U 8 x 2)") !=
        std::string::npos);
  for (const char* label : {"evaluates", "rectangular"}) {
    const RunResult& evaluates = only(all.runs, experiment, label);
    CHECK(evaluates.status == RunStatus::failed);
    CHECK(evaluates.message.find("failed while stepping: the objective was given factors U 11 x 2") !=
          std::string::npos);
    CHECK(evaluates.message.find("which do not fit its operator on 8 x 8 symmetric matrices") != std::string::npos);
  }
  CHECK(only(all.runs, experiment, "fine").status == RunStatus::budget);
}

TEST_CASE("runs: an instance shared by sweep points runs its runs together, so memory holds one instance per thread") {
  // An axis over run.iterations: both points share every seed's instance. Run
  // in id order, the first point would build all 40 instances and keep each
  // until the second point used it.
  const Experiment experiment = experiment_from(R"(
problem: {n: 6, rank: 1}
measurement: {name: gaussian_sensing, m: 30}
methods: [{label: gd, init: small_random, optimizer: gd, width: 2}]
run: {iterations: [2, 3], seed: 1, repetitions: 40}
)");
  REQUIRE(experiment.run_count() == 80);
  std::vector<std::string> order;  // instance keys, in the order runs start
  RunOptions options = test::options(1);
  options.on_run_started = [&](const RunSpec& run) { order.push_back(run.instance_key); };
  const ExperimentResults all = run_experiment(experiment, test::plugins(), options);
  REQUIRE(order.size() == 80);
  std::set<std::string> done;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i > 0 && order[i] != order[i - 1]) done.insert(order[i - 1]);
    CHECK_MESSAGE(done.count(order[i]) == 0, "instance " << order[i] << " came back after another one");
  }
  // The same numbers as ever: run 7 of the first point and run 47 (the same seed) of the second.
  CHECK(all.runs[7].metrics.front() == all.runs[47].metrics.front());
}

TEST_CASE("runs: diverged runs are counted in the status, never in the medians") {
  const Experiment experiment = experiment_from(R"(
problem: {n: 10, rank: 2}
measurement: {name: gaussian_sensing, m: 100}
methods:
  - {label: mixed, init: {name: small_random, scale: [1.0, 1e-3]}, optimizer: {name: gd, step: 1.5}, width: 10}
run: {iterations: 200, log_every: 10, seeds: [3, 4, 5]}
)");
  const ExperimentResults all = run_experiment(experiment, test::plugins(), test::options(2));
  int diverged = 0;
  for (const auto& run : all.runs)
    if (run.status == RunStatus::diverged) {
      ++diverged;
      CHECK(std::isnan(run.final_error));
      CHECK(run.convergence_iteration == -1);
    }
  REQUIRE(diverged > 0);
  const std::string table = comparison_table(experiment, all);
  CHECK(table.find("diverged") != std::string::npos);
  CHECK(table.find("nan") == std::string::npos);
}

TEST_CASE("runs: lockstep groups reproduce single runs bit for bit") {
  // n = 60, m = 1200: the operator holds 1200 x 1830 doubles (17.6 MB), above
  // the 16 MiB at which runs sharing it advance in lockstep.
  const Experiment experiment = experiment_from(R"(
problem: {n: 60, rank: 2}
measurement: {name: gaussian_sensing, m: 1200}
methods:
  - {label: small, init: {name: small_random, scale: [1e-2, 1e-3, 1e-4]}, optimizer: gd, width: [2, 60]}
  - {label: spectral, init: spectral, optimizer: gd, width: 2}
metrics: [gradient_norm]
run: {iterations: 25, log_every: 4, seeds: [1]}
)");
  REQUIRE(experiment.run_count() == 7);
  const auto alone = run_experiment(experiment, test::plugins(), test::options(2, 1)).runs;
  const auto together = run_experiment(experiment, test::plugins(), test::options(2, 8)).runs;
  const auto pairs = run_experiment(experiment, test::plugins(), test::options(1, 3)).runs;
  for (std::size_t i = 0; i < alone.size(); ++i) {
    CAPTURE(i);
    CHECK(alone[i].status == RunStatus::budget);
    CHECK(together[i].metrics == alone[i].metrics);
    CHECK(pairs[i].metrics == alone[i].metrics);
  }
}

TEST_CASE("runs: an operator's evaluate gives each factor the same bits alone or in a batch") {
  const auto A = test::sample_operator("gaussian_sensing", 13, 2, {{"m", std::int64_t{103}}});
  const auto loss = test::plugins().find(PluginKind::loss, "squared").create_loss({});
  RandomStream random(4, "test");
  Vector y(103);
  random.fill_normal(y);
  // Symmetric and asymmetric factor sets of several widths, one without a gradient.
  std::vector<FactorSet> factors, alone(5), batched(5);
  for (Index k : {1, 3, 13, 2, 5}) {
    Matrix U(13, k), V(13, k);
    random.fill_normal(U);
    random.fill_normal(V);
    factors.push_back(k == 3 ? FactorSet(U, V) : FactorSet(U));
  }
  std::vector<FactorEvaluation> items;
  for (std::size_t j = 0; j < 5; ++j) items.push_back({&factors[j], j == 3 ? nullptr : &batched[j], 0.0});
  A->evaluate(y, *loss, items);
  for (std::size_t j = 0; j < 5; ++j) {
    FactorEvaluation single{&factors[j], j == 3 ? nullptr : &alone[j], 0.0};
    A->evaluate(y, *loss, std::span<FactorEvaluation>(&single, 1));
    CHECK(single.value == items[j].value);
    if (j != 3) CHECK(alone[j] == batched[j]);
    // And the fused pass agrees with the two-pass definition to rounding.
    Vector residual;
    A->forward_factored(factors[j], residual);
    residual -= y;
    CHECK(single.value == doctest::Approx(0.25 * residual.squaredNorm()).epsilon(1e-12));
    if (j != 3) {
      FactorSet expected = FactorSet::zeros(factors[j].shape());
      A->adjoint_apply(0.5 * residual, factors[j].right(), expected.left());
      if (!factors[j].symmetric()) A->adjoint_transpose_apply(0.5 * residual, factors[j].left(), expected.right());
      CHECK((alone[j] - expected).norm() <= 1e-12 * expected.norm());
    }
  }
}

TEST_CASE("runs: an operator that cannot fit in memory is refused before allocating, with its size") {
  // n = 2000, m = 10^6: 2001000 x 10^6 doubles = 14908.61 GiB.
  const Experiment experiment = experiment_from(R"(
problem: {n: 2000, rank: 2}
measurement: {name: gaussian_sensing, m: 1000000}
methods:
  - {label: gd, init: small_random, optimizer: gd, width: 2}
run: {iterations: 1, seeds: [1]}
)");
  std::string message;
  try {
    run_experiment(experiment, test::plugins(), test::options(1));
  } catch (const Error& error) {
    message = error.what();
  }
  CHECK(message.find("measurement `gaussian_sensing` on 2000 x 2000 symmetric matrices needs 14908.61 GiB for "
                     "its operator") != std::string::npos);
  CHECK(message.find("of memory is available") != std::string::npos);
}

TEST_CASE("runs: results folder names stay inside results/, and an unwritable folder is refused at once") {
  CHECK(safe_file_name("../../etc") == "_.._etc");
  CHECK(safe_file_name("my run: kappa=5") == "my_run__kappa_5");
  CHECK(safe_file_name("...") == "experiment");
  CHECK(safe_file_name("quickstart") == "quickstart");
  test::TemporaryFolder folder("unwritable");
  const auto file = folder.write("a-file", "not a folder");
  CHECK_THROWS_WITH_AS(prepare_results_folder(file / "results"), doctest::Contains("cannot create the results folder"),
                       Error);
  prepare_results_folder(folder.path() / "fresh" / "nested");
  CHECK(std::filesystem::is_directory(folder.path() / "fresh" / "nested"));
}
