#include <doctest/doctest.h>

#include <fmt/format.h>

#include "support.hpp"

using namespace ncvx;

namespace {

/// 30 users x 20 items from a rank-2 model, 60 % rated, in the tab layout.
std::string generated_ratings(double& mean) {
  RandomStream random(9, "test");
  Matrix U(30, 2), V(20, 2);
  random.fill_normal(U);
  random.fill_normal(V);
  std::string text;
  double sum = 0;
  int count = 0;
  for (Index i = 0; i < 30; ++i)
    for (Index j = 0; j < 20; ++j)
      if (random.uniform() < 0.6) {
        const double rating = 3.0 + U.row(i).dot(V.row(j));
        text += fmt::format("u{}\tm{}\t{}\t{}\n", i, j, rating, 100 + count);
        sum += rating;
        ++count;
      }
  mean = sum / count;
  return text;
}

}  // namespace

TEST_CASE("ratings: layouts (tab, csv with header, ::), ids remapped, last rating kept") {
  test::TemporaryFolder folder("ratings_layouts");
  const std::string tab = "7\t100\t4\t881250949\n9\t100\t2\t881250950\n7\t200\t5\t881250951\n7\t100\t3\t881250952\n";
  const std::string csv = "userId,movieId,rating,timestamp\n7,100,4.0,1\n9,100,2.0,2\n7,200,5.0,3\n7,100,3.0,4\n";
  const std::string dat = "7::100::4::1\n9::100::2::2\n7::200::5::3\n7::100::3::4\n";
  for (const auto& [name, text] : {std::pair{"a.tsv", tab}, {"b.csv", csv}, {"c.dat", dat}}) {
    CAPTURE(name);
    const auto problem = test::problem(
        "ratings", {{"file", folder.write(name, text).string()}, {"heldout", 0.0}, {"center", false}});
    CHECK(problem->describe().shape == MatrixShape::rectangular(2, 2));  // users 7, 9; items 100, 200
    CHECK_FALSE(problem->describe().ground_truth);
    const ProblemData data = test::sample_problem(*problem, 1);
    REQUIRE(data.observed->size() == 3);
    CHECK_FALSE(data.heldout.has_value());
    CHECK(data.observed->rows == std::vector<std::int32_t>{0, 1, 0});
    CHECK(data.observed->columns == std::vector<std::int32_t>{0, 0, 1});
    CHECK(data.observed->values == std::vector<double>{3, 2, 5});  // (7, 100) rated twice: the last counts
  }
  CHECK_THROWS_WITH(test::problem("ratings", {{"file", folder.write("bad.tsv", "1 2 3\n4 5 five\n").string()}}),
                    doctest::Contains("bad.tsv:2: rating 'five' is not a number"));
}

TEST_CASE("ratings: a seeded split of exactly the held-out fraction, centered on the observed mean") {
  test::TemporaryFolder folder("ratings_split");
  double mean = 0;
  const auto file = folder.write("r.tsv", generated_ratings(mean));
  const auto problem = test::problem("ratings", {{"file", file.string()}, {"heldout", 0.25}});
  const ProblemData first = test::sample_problem(*problem, 1), again = test::sample_problem(*problem, 1),
                    other = test::sample_problem(*problem, 2);
  const std::size_t total = first.observed->size() + first.heldout->size();
  CHECK(first.heldout->size() == static_cast<std::size_t>(std::llround(0.25 * total)));
  CHECK(again.heldout->values == first.heldout->values);
  CHECK(other.heldout->values != first.heldout->values);
  double observed_mean = 0;
  for (double value : first.observed->values) observed_mean += value;
  CHECK(std::abs(observed_mean / first.observed->size()) < 1e-12);  // centered
  CHECK(test::conforms(PluginKind::problem, "ratings", {{"file", file.string()}}));
}

TEST_CASE("ratings: completion through the core reports heldout_rmse, which falls below the mean's") {
  test::TemporaryFolder folder("ratings_run");
  double mean = 0;
  const auto file = folder.write("r.tsv", generated_ratings(mean));
  const Experiment experiment = test::experiment_from(fmt::format(R"(
problem: {{name: ratings, file: {}, heldout: 0.2}}
measurement: matrix_completion
methods: [{{label: spectral, init: spectral, optimizer: {{name: gd, step: 0.01}}, width: 2}}]
run: {{iterations: 300, log_every: 50, seeds: [1]}}
)",
                                                                  file.string()));
  CHECK(experiment.error == "heldout_rmse");
  CHECK(experiment.columns == std::vector<std::string>{"train_loss", "heldout_rmse"});
  const auto results = run_experiment(experiment, test::plugins(), test::options(1)).runs;
  const RunResult& run = results.front();
  REQUIRE(run.status == RunStatus::budget);
  // The mean alone: the RMSE of the centered held-out ratings, |heldout| / sqrt(count).
  const auto instance = build_instance(experiment.run(0), experiment, test::plugins());
  const Vector heldout = Eigen::Map<const Vector>(instance->heldout()->values.data(), instance->heldout()->size());
  const double baseline = heldout.norm() / std::sqrt(double(heldout.size()));
  MESSAGE("held-out RMSE " << run.final_error << " against " << baseline << " for the mean alone");
  CHECK(run.final_error < 0.3 * baseline);
}
