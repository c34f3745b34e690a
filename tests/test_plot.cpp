// Figures: spec validation, aggregation over seeds and the gnuplot output.

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include <ncvx/errors.hpp>
#include <ncvx/study/experiment.hpp>
#include <ncvx/study/output.hpp>
#include <ncvx/study/plot.hpp>
#include <ncvx/study/runner.hpp>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("plot: fit_line recovers slope and intercept") {
  const auto [slope, intercept] = fit_line({1, 2, 3, 4}, {3.5, 5, 6.5, 8});
  CHECK(slope == doctest::Approx(1.5));
  CHECK(intercept == doctest::Approx(2.0));
}

TEST_CASE("plot: figure specs are validated with locations") {
  auto error_of = [](const std::string& text) {
    try {
      parse_figures(parse_config_text(text, {"f.yaml", 0, 0, ""}));
    } catch (const ConfigError& error) {
      return std::string(error.what());
    }
    return std::string();
  };
  CHECK(error_of("- {name: a, y: test_error}").empty());
  CHECK(error_of("- {name: a, lgo_y: true}").find("unknown key 'lgo_y' in a figure; did you mean 'log_y'?") !=
        std::string::npos);
  CHECK(error_of("- {name: a, fit: cubic}").find("figure.fit = 'cubic' is not one of {none, power, log_linear}") !=
        std::string::npos);
  CHECK(error_of("- {name: a}\n- {name: a}").find("two figures are named 'a'") != std::string::npos);
  CHECK(error_of("- {name: a, x: init.scale, y: [a, b]}").find("plots one y column") != std::string::npos);
  CHECK(error_of("- {y: test_error}").find("needs a `name`") != std::string::npos);
}

TEST_CASE("plot: medians and quartiles over seeds, PNG and SVG written") {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    MESSAGE("gnuplot not installed: skipping the drawing part");
    return;
  }
  const Experiment experiment = make_experiment(parse_config_text(R"(
name: plotted
problem: {n: 10, rank: 1}
measurement: {name: gaussian_sensing, m: 80}
methods:
  - {label: gd, init: {name: small_random, scale: [1e-2, 1e-3]}, optimizer: gd, width: 4}
run: {iterations: 30, log_every: 10, seeds: [1, 2, 3]}
figures:
  - {name: error, y: test_error}
  - {name: best, x: init.scale, y: best_test_error, log_x: true, fit: power}
)", {"plot.yaml", 0, 0, ""}), "plot.yaml", test::plugins());
  const ExperimentResults results = run_experiment(experiment, test::plugins(), test::options(2));
  test::TemporaryFolder folder("plot");
  write_results(folder.path(), experiment, results, test::plugins(), {});
  const PlotResult plotted = plot_results(folder.path());
  REQUIRE(plotted.files.size() == 4);
  CHECK(plotted.figures == 2);
  for (const auto& file : plotted.files) CHECK(std::filesystem::file_size(file) > 1000);
  REQUIRE(plotted.notes.size() == 1);
  CHECK(plotted.notes.front().find("best: gd: log-log slope") == 0);

  // The trajectory data: the median over the three seeds at iteration 30 for scale 1e-2.
  std::vector<double> finals;
  for (const auto& run : results.runs)
    if (experiment.run(static_cast<std::size_t>(run.id)).method.initializer.values.real("scale") == 1e-2)
      finals.push_back(run.final_error);
  REQUIRE(finals.size() == 3);
  std::sort(finals.begin(), finals.end());
  std::ifstream data(folder.path() / "figures" / "error.dat");
  std::string line, last_of_first_block;
  while (std::getline(data, line) && !line.empty())
    if (line[0] != '#') last_of_first_block = line;
  std::istringstream fields(last_of_first_block);
  double x, median, low, high;
  fields >> x >> median >> low >> high;
  CHECK(x == 30);
  CHECK(median == doctest::Approx(finals[1]).epsilon(1e-12));
  CHECK(low == doctest::Approx(0.5 * (finals[0] + finals[1])).epsilon(1e-12));
  CHECK(high == doctest::Approx(0.5 * (finals[1] + finals[2])).epsilon(1e-12));

  CHECK_THROWS_WITH_AS(plot_results(folder.path(), {"nope"}), doctest::Contains("no figure named 'nope'"),
                       Error);
}

TEST_CASE("plot: damaged rows (a cut last line, garbage) are skipped with the file and line, never a crash") {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) return;
  const Experiment experiment = test::experiment_from(R"(
name: damaged
problem: {n: 8, rank: 1}
measurement: {name: gaussian_sensing, m: 60}
methods: [{label: gd, init: small_random, optimizer: gd, width: 2}]
run: {iterations: 20, log_every: 5, seeds: [1, 2]}
)");
  const ExperimentResults results = run_experiment(experiment, test::plugins(), test::options(1));
  test::TemporaryFolder folder("damaged");
  write_results(folder.path(), experiment, results, test::plugins(), {});
  // Cut the last line of metrics.csv in the middle, and add a row of garbage to summary.csv.
  const auto metrics = folder.path() / "metrics.csv";
  std::string text;
  {
    std::ifstream stream(metrics);
    text.assign(std::istreambuf_iterator<char>(stream), {});
  }
  text.resize(text.rfind(','));  // the last row loses its last field, as a run killed mid-write would
  std::ofstream(metrics) << text;
  std::ofstream(folder.path() / "summary.csv", std::ios::app) << "7,\"unclosed,quote\n";
  const PlotResult plotted = plot_results(folder.path());
  CHECK(plotted.files.size() == 4);
  bool metrics_noted = false, summary_noted = false;
  for (const auto& note : plotted.notes) {
    metrics_noted = metrics_noted || (note.find("metrics.csv:11:") != std::string::npos &&
                                      note.find("skipped") != std::string::npos);
    summary_noted = summary_noted || note.find("summary.csv:4:") != std::string::npos;
  }
  CHECK(metrics_noted);
  CHECK(summary_noted);
}

TEST_CASE("plot: success rates, the summary's success column and a phase-transition heatmap") {
  const Experiment experiment = make_experiment(parse_config_text(R"(
name: transition
problem: {n: 10, rank: [1, 2]}
measurement: {name: gaussian_sensing, m: [8, 120]}
methods:
  - {label: gd, init: {name: small_random, scale: 1.0e-6}, optimizer: {name: gd, step: 0.2}, width: 2}
run: {iterations: 400, log_every: 50, seeds: [1, 2, 3], success_below: 1.0e-3}
figures:
  - {name: rate, x: measurement.m, y: success, statistic: mean, log_y: false}
  - {name: transition, kind: heatmap, x: measurement.m, y: problem.rank, value: success}
)", {"transition.yaml", 0, 0, ""}), "transition.yaml", test::plugins());
  const ExperimentResults results = run_experiment(experiment, test::plugins(), test::options(2));
  // success = 1 exactly when the run counts and its final error is at most 1e-3.
  std::map<std::pair<std::string, std::string>, std::vector<double>> rates;
  for (const auto& run : results.runs) {
    const RunSpec spec = experiment.run(static_cast<std::size_t>(run.id));
    const double success = success_of(spec, run.status, run.final_error);
    CHECK(success == (run.counts() && run.final_error <= 1e-3 ? 1.0 : 0.0));
    std::string rank, m;
    for (const auto& swept : spec.swept) (swept.axis == "problem.rank" ? rank : m) = swept.value;
    rates[{rank, m}].push_back(success);
  }
  // Enough measurements recover, too few do not.
  for (const char* rank : {"1", "2"}) {
    for (double s : rates[{rank, "120"}]) CHECK(s == 1.0);
    for (double s : rates[{rank, "8"}]) CHECK(s == 0.0);
  }
  const std::string table = comparison_table(experiment, results);
  CHECK(table.find("success") != std::string::npos);
  CHECK(table.find("3/3") != std::string::npos);
  CHECK(table.find("0/3") != std::string::npos);
  test::TemporaryFolder folder("heatmap");
  write_results(folder.path(), experiment, results, test::plugins(), {});
  std::ifstream summary(folder.path() / "summary.csv");
  std::string header;
  std::getline(summary, header);
  CHECK(header.find(",convergence_iteration,success,") != std::string::npos);

  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) return;
  const PlotResult plotted = plot_results(folder.path());
  REQUIRE(plotted.files.size() == 4);
  CHECK(plotted.figures == 2);
  for (const auto& file : plotted.files) CHECK(std::filesystem::file_size(file) > 1000);
  // The heatmap's cells: (m index, rank index, mean success), four of them.
  std::ifstream data(folder.path() / "figures" / "transition.dat");
  std::string line;
  std::map<std::pair<int, int>, double> cells;
  while (std::getline(data, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    int i, j;
    double value;
    fields >> i >> j >> value;
    cells[{i, j}] = value;
  }
  CHECK(cells.size() == 4);
  CHECK(cells[{0, 0}] == 0.0);
  CHECK(cells[{1, 0}] == 1.0);
  CHECK(cells[{1, 1}] == 1.0);
  // A heatmap of several methods asks for one.
  CHECK_THROWS_WITH_AS(parse_figures(parse_config_text("- {name: h, kind: heatmap, x: measurement.m}",
                                                       {"f.yaml", 0, 0, ""})),
                       doctest::Contains("a heatmap needs x and y"), ConfigError);
}

TEST_CASE("tables: a column's median with its quartiles, range or mean and sd, and successes with a Wilson interval") {
  const Experiment experiment = test::experiment_from(R"(
problem: {n: 10, rank: 1}
measurement: {name: gaussian_sensing, m: 120}
methods: [{label: gd, init: {name: small_random, scale: 1.0e-3}, optimizer: {name: gd, step: 0.2}, width: 2}]
run: {iterations: 60, log_every: 30, seeds: [1, 2, 3, 4], success_below: 1.0e+9}
)");
  const ExperimentResults results = run_experiment(experiment, test::plugins(), test::options(2));
  std::vector<double> finals;
  for (const auto& run : results.runs) finals.push_back(run.final_error);
  std::sort(finals.begin(), finals.end());
  // numpy's quantiles of four values: q1 = x0 + 0.75 (x1 - x0), q3 = x2 + 0.25 (x3 - x2).
  const std::string quartiles = fmt::format("{:.3e} [{:.2e}, {:.2e}]", 0.5 * (finals[1] + finals[2]),
                                            finals[0] + 0.75 * (finals[1] - finals[0]),
                                            finals[2] + 0.25 * (finals[3] - finals[2]));
  const std::string table = comparison_table(experiment, results);
  CHECK(table.find(quartiles) != std::string::npos);
  CHECK(table.find("4/4 [0.51, 1.00]") != std::string::npos);  // Wilson at 4 of 4
  CHECK(table.find("median [first quartile, third quartile]") != std::string::npos);
  Experiment ranged = experiment;
  ranged.table = "range";
  CHECK(comparison_table(ranged, results)
            .find(fmt::format("{:.3e} [{:.2e}, {:.2e}]", 0.5 * (finals[1] + finals[2]), finals[0], finals[3])) !=
        std::string::npos);
  Experiment mean = experiment;
  mean.table = "mean";
  double average = 0, squares = 0;
  for (double v : finals) average += v / 4;
  for (double v : finals) squares += (v - average) * (v - average);
  CHECK(comparison_table(mean, results).find(fmt::format("{:.3e} ± {:.2e}", average, std::sqrt(squares / 3))) !=
        std::string::npos);
  CHECK_THROWS_WITH_AS(test::experiment_from("measurement: {name: gaussian_sensing, m: 50}\n"
                                             "methods: [{init: small_random, optimizer: gd, width: 2}]\n"
                                             "run: {table: quartile}\n"),
                       doctest::Contains("run.table = 'quartile' is not one of"), ConfigError);
}
