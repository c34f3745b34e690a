// The time axis: seconds.csv beside metrics.csv, figures against seconds,
// and `ncvx compare --time-to`.

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include <ncvx/study/compare.hpp>
#include <ncvx/study/journal.hpp>
#include <ncvx/study/output.hpp>
#include <ncvx/study/plot.hpp>
#include <ncvx/study/runner.hpp>

#include "support.hpp"

using namespace ncvx;

namespace {

const char* kTimed = R"(
name: timed
problem: {n: 10, rank: 2}
measurement: {name: gaussian_sensing, m: 120}
methods:
  - {label: gd, init: {name: small_random, scale: 1e-3}, optimizer: {name: gd, step: 0.2}, width: 4}
  - {label: spectral, init: spectral, optimizer: {name: gd, step: 0.2}, width: 2}
run: {iterations: 40, log_every: 10, seeds: [1, 2, 3]}
figures:
  - {name: error_against_time, x: seconds, y: test_error, log_x: true}
)";

std::vector<std::vector<std::string>> rows_of(const std::filesystem::path& file) {
  std::ifstream stream(file);
  std::string line;
  std::vector<std::vector<std::string>> rows;
  std::getline(stream, line);  // header
  while (std::getline(stream, line)) {
    std::vector<std::string> fields;
    std::stringstream split(line);
    for (std::string field; std::getline(split, field, ',');) fields.push_back(field);
    rows.push_back(fields);
  }
  return rows;
}

}  // namespace

TEST_CASE("time axis: seconds.csv has a row per metrics row, from 0 and never decreasing, kept apart from the "
          "deterministic files") {
  const test::Study study = test::study(kTimed);
  test::TemporaryFolder folder("time-axis");
  write_results(folder.path(), study.experiment, study.results, test::plugins(), {});
  const auto metrics = rows_of(folder.path() / "metrics.csv");
  const auto seconds = rows_of(folder.path() / "seconds.csv");
  REQUIRE(seconds.size() == metrics.size());
  REQUIRE(metrics.size() == 6 * 5);
  for (std::size_t row = 0; row < seconds.size(); ++row) {
    REQUIRE(seconds[row].size() == 3);
    CHECK(seconds[row][0] == metrics[row][0]);  // run id
    CHECK(seconds[row][1] == metrics[row][1]);  // iteration
    const double value = std::stod(seconds[row][2]);
    if (metrics[row][1] == "0") CHECK(value == 0.0);
    else CHECK(value >= std::stod(seconds[row - 1][2]));
  }
  // The run results hold the same axis; the last value is at most the run's wall time.
  for (const auto& run : study.results.runs) {
    REQUIRE(run.logged_seconds.size() == run.logged_iterations.size());
    CHECK(run.logged_seconds.back() <= run.wall_seconds);
  }
  // The deterministic files do not carry it: the metrics header has no seconds column.
  std::ifstream header_stream(folder.path() / "metrics.csv");
  std::string header;
  std::getline(header_stream, header);
  CHECK(header.find("seconds") == std::string::npos);
}

TEST_CASE("time axis: a journal record carries it and a record without one (before 0.3) still reads") {
  const test::Study study = test::study(kTimed);
  const RunResult& result = study.results.runs.front();
  const JournalRecord record = make_record(study.experiment, study.experiment.run(0), result);
  const std::string text = to_text(record);
  REQUIRE(text.find("\n#seconds 0.000000 ") != std::string::npos);
  const auto parsed = parse_records(text, "test");
  REQUIRE(parsed.size() == 1);
  CHECK(parsed[0].seconds == record.seconds);
  CHECK(parsed[0].summary_row == record.summary_row);
  CHECK(parsed[0].metrics_rows == record.metrics_rows);
  JournalRecord old = record;
  old.seconds.clear();
  const auto old_parsed = parse_records(to_text(old), "test");
  REQUIRE(old_parsed.size() == 1);
  CHECK(old_parsed[0].seconds.empty());
  CHECK(old_parsed[0].summary_row == record.summary_row);
}

TEST_CASE("time axis: compare --time-to counts the runs that reached the target and their seconds") {
  const test::Study study = test::study(kTimed);
  test::TemporaryFolder folder("time-to");
  write_results(folder.path(), study.experiment, study.results, test::plugins(), {});
  std::vector<std::string> notes;
  // Every run starts above 1e-300 and below 1e300: none reach the first, all reach the second at 0 s.
  const std::string none = compare_folders({folder.path()}, notes, "quartiles", nullptr, 1e-300);
  CHECK(none.find("reached 1e-300") != std::string::npos);
  CHECK(none.find("0/3") != std::string::npos);
  const std::string all = compare_folders({folder.path()}, notes, "quartiles", nullptr, 1e300);
  std::string squeezed;  // the table with runs of spaces as one
  for (const char c : all)
    if (c != ' ' || squeezed.empty() || squeezed.back() != ' ') squeezed += c;
  CHECK(squeezed.find("gd 3 ") != std::string::npos);
  CHECK(squeezed.find(" 3/3 0 [0, 0] budget") != std::string::npos);
  // Spectral reaches 1e-3 and small random does not, in 40 iterations: the counts differ per method.
  std::map<std::string, std::size_t> reached;
  for (const auto& run : study.results.runs) {
    bool hit = false;
    const int column = study.experiment.column("test_error");
    for (const auto& row : run.metrics) hit = hit || row[static_cast<std::size_t>(column)] <= 1e-3;
    reached[study.experiment.run(static_cast<std::size_t>(run.id)).method.label] += hit ? 1 : 0;
  }
  const std::string some = compare_folders({folder.path()}, notes, "quartiles", nullptr, 1e-3);
  for (const auto& [label, count] : reached) {
    const auto line = some.find("  " + label + " ");
    REQUIRE(line != std::string::npos);
    CHECK(some.substr(line, some.find('\n', line) - line).find(fmt::format(" {}/3 ", count)) != std::string::npos);
  }
  CHECK(notes.empty());
}

TEST_CASE("time axis: a figure against seconds places each iteration at the median of its seconds over seeds") {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) return;
  const test::Study study = test::study(kTimed);
  test::TemporaryFolder folder("time-figure");
  write_results(folder.path(), study.experiment, study.results, test::plugins(), {});
  const PlotResult plotted = plot_results(folder.path());
  CHECK(plotted.figures == 1);
  CHECK(plotted.files.size() == 2);
  // The first series (gd, runs 0-2): its x values are the medians of the seeds' seconds.
  std::vector<double> expected;
  for (std::size_t row = 0; row < 5; ++row) {
    std::vector<double> at;
    for (const auto& run : study.results.runs)
      if (study.experiment.run(static_cast<std::size_t>(run.id)).method.label == "gd")
        at.push_back(std::stod(fmt::format("{:.6f}", run.logged_seconds[row])));
    std::sort(at.begin(), at.end());
    expected.push_back(at[1]);
  }
  std::ifstream data(folder.path() / "figures" / "error_against_time.dat");
  std::string line;
  std::vector<double> xs;
  while (std::getline(data, line) && !line.empty())
    if (line[0] != '#') xs.push_back(std::stod(line.substr(0, line.find(' '))));
  REQUIRE(xs.size() == expected.size());
  for (std::size_t i = 0; i < xs.size(); ++i) CHECK(xs[i] == doctest::Approx(expected[i]).epsilon(1e-9));
  // A folder without seconds.csv (written before the time axis) is refused with the reason.
  std::filesystem::remove(folder.path() / "seconds.csv");
  CHECK_THROWS_WITH_AS(plot_results(folder.path()), doctest::Contains("has no seconds.csv"), Error);
}
