// Figures: spec validation, aggregation over seeds and the gnuplot output.

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include <ncvx/errors.hpp>
#include <ncvx/experiment.hpp>
#include <ncvx/output.hpp>
#include <ncvx/plot.hpp>
#include <ncvx/runner.hpp>

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
