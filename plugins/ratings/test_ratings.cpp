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

namespace {

const std::filesystem::path kSamples = std::filesystem::path(NCVX_SOURCE_DIR) / "plugins" / "ratings" / "samples";

/// (row, column) -> value of a data set, for comparisons that do not depend on the order.
std::map<std::pair<std::int32_t, std::int32_t>, double> entries_of(const MatrixEntries& entries) {
  std::map<std::pair<std::int32_t, std::int32_t>, double> out;
  for (std::size_t e = 0; e < entries.size(); ++e) out[{entries.rows[e], entries.columns[e]}] = entries.values[e];
  return out;
}

}  // namespace

TEST_CASE("ratings: every shipped layout of one 4 x 3 matrix reads to the same 7 observations") {
  const std::map<std::pair<std::int32_t, std::int32_t>, double> expected = {
      {{0, 0}, 5.0}, {{0, 2}, 3.0}, {{1, 1}, 4.0}, {{2, 0}, 1.0}, {{2, 1}, 2.0}, {{3, 1}, 4.5}, {{3, 2}, 3.5}};
  // Text ids are remapped in order of first appearance: the samples list users and items in an
  // order that keeps the indices (item 3 first appears after item 1, before item 2, so it is column 1).
  const std::map<std::string, std::map<std::string, ParameterValue>> files = {
      {"sample.mtx", {}},
      {"sample_coo.npz", {}},
      {"sample_csr.npz", {}},
      {"sample_csc.npz", {}},
      {"sample.libmf", {{"format", std::string("triplets")}, {"ids", std::string("zero_based")}}},
      {"sample.data", {{"ids", std::string("one_based")}}},
      {"sample.dat", {{"ids", std::string("one_based")}}},
      {"sample.csv", {{"ids", std::string("one_based")}}},
  };
  for (const auto& [name, extra] : files) {
    CAPTURE(name);
    std::map<std::string, ParameterValue> values = extra;
    values["file"] = (kSamples / name).string();
    values["heldout"] = 0.0;
    values["center"] = false;
    const auto problem = test::problem("ratings", values);
    CHECK(problem->describe().shape == MatrixShape::rectangular(4, 3));
    const ProblemData data = test::sample_problem(*problem, 1);
    CHECK(entries_of(*data.observed) == expected);
  }
  // Remapped (the default), u.data's ids are numbered as they appear: 1, 3, 2 for the items.
  const auto remapped = test::problem("ratings", {{"file", (kSamples / "sample.data").string()}, {"heldout", 0.0},
                                                  {"center", false}});
  const ProblemData data = test::sample_problem(*remapped, 1);
  CHECK(data.observed->columns == std::vector<std::int32_t>{0, 1, 2, 0, 2, 2, 1});
}

TEST_CASE("ratings: splits by each user's last ratings and by a separate test file") {
  test::TemporaryFolder folder("ratings_splits");
  // Timestamps out of file order: user a's last rating by time is the first line.
  const auto file = folder.write("r.data", "a\tx\t1\t50\na\ty\t2\t10\na\tz\t3\t20\nb\tx\t4\t5\nb\ty\t5\t6\nc\tz\t2\t1\n");
  const auto last = test::problem("ratings", {{"file", file.string()}, {"split", std::string("last")},
                                              {"center", false}});
  const ProblemData split = test::sample_problem(*last, 1);
  // a: (a, x) at time 50; b: (b, y) at time 6; c keeps its only rating.
  CHECK(entries_of(*split.heldout) == std::map<std::pair<std::int32_t, std::int32_t>, double>{{{0, 0}, 1.0},
                                                                                                {{1, 1}, 5.0}});
  CHECK(split.observed->size() == 4);
  CHECK(entries_of(*test::sample_problem(*last, 7).heldout) == entries_of(*split.heldout));  // every seed
  const auto two = test::problem("ratings", {{"file", file.string()}, {"split", std::string("last")},
                                             {"per_user", std::int64_t{2}}, {"center", false}});
  CHECK(test::sample_problem(*two, 1).heldout->size() == 2 + 1 + 0);  // a: 2, b: 1 (one kept), c: 0

  const auto test_file = folder.write("t.data", "b\tz\t3\t9\nd\tx\t4\t9\n");
  const auto separate = test::problem("ratings", {{"file", file.string()}, {"split", std::string("file")},
                                                  {"test_file", test_file.string()}});
  CHECK(separate->describe().shape == MatrixShape::rectangular(4, 3));  // user d appears in the test file only
  const ProblemData both = test::sample_problem(*separate, 1);
  CHECK(both.observed->size() == 6);
  REQUIRE(both.heldout->size() == 2);
  CHECK(both.heldout->rows == std::vector<std::int32_t>{1, 3});
  CHECK(both.heldout->values[0] == doctest::Approx(3.0 - 17.0 / 6));  // centered on the training mean
  CHECK_THROWS_WITH(test::problem("ratings", {{"file", file.string()}, {"split", std::string("file")}}),
                    doctest::Contains("split: file needs `test_file`"));
  CHECK_THROWS_WITH(test::problem("ratings", {{"file", (kSamples / "sample.mtx").string()},
                                              {"split", std::string("file")}, {"test_file", test_file.string()}}),
                    doctest::Contains("both must carry indices"));
}

TEST_CASE("ratings: malformed lines are refused with the file, the line and the reason") {
  test::TemporaryFolder folder("ratings_malformed");
  auto refusal = [&](const std::string& name, const std::string& text,
                     std::map<std::string, ParameterValue> extra = {}) {
    extra["file"] = folder.write(name, text).string();
    try {
      test::problem("ratings", extra);
    } catch (const std::exception& error) {
      return std::string(error.what());
    }
    return std::string();
  };
  CHECK(refusal("a.data", "1 2 3\n4 5\n").find("a.data:2: expected user, item and rating, found 2 fields") !=
        std::string::npos);
  CHECK(refusal("b.data", "1 2 3\n4 5 inf\n").find("b.data:2: rating is not finite") != std::string::npos);
  CHECK(refusal("c.data", "0 2 3\n", {{"ids", std::string("one_based")}})
            .find("c.data:1: index 0 in a file of 1-based indices") != std::string::npos);
  CHECK(refusal("d.data", "x 2 3\n", {{"ids", std::string("zero_based")}}).find("d.data:1: id 'x' is not an index") !=
        std::string::npos);
  CHECK(refusal("e.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1\n")
            .find("e.mtx:3: entry (3, 1) is outside the 2 x 2 matrix") != std::string::npos);
  CHECK(refusal("f.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n")
            .find("f.mtx:3: the size line says 2 entries; the file has 1") != std::string::npos);
  CHECK(refusal("g.data", std::string(3u << 20, 'x')).find("g.data:1: a line longer than 1 MiB") != std::string::npos);
  // A symmetric Matrix Market file gives both (i, j) and (j, i).
  const auto symmetric = test::problem(
      "ratings", {{"file", folder.write("s.mtx", "%%MatrixMarket matrix coordinate real symmetric\n3 3 2\n2 1 7\n3 3 1\n")
                               .string()},
                  {"heldout", 0.0}, {"center", false}});
  CHECK(test::sample_problem(*symmetric, 1).observed->size() == 3);
}

TEST_CASE("ratings: a repeated (user, item) keeps its first position and its last value, whatever the matrix's size") {
  test::TemporaryFolder folder("ratings_repeated");
  // Three sizes take the three ways of finding repeats: a bitset of the positions (small),
  // each row's columns sorted (wide), a radix sort of the keys (more rows than ratings).
  for (const auto& [name, far] : {std::pair{"small.data", 2}, {"wide.data", 100000}, {"tall.data", -1}}) {
    CAPTURE(name);
    const std::string user = far < 0 ? "5000" : "1", item = far < 0 ? "2" : std::to_string(far);
    const std::string text = user + " " + item + " 1\n0 0 2\n" + user + " " + item + " 3\n0 1 4\n0 0 5\n";
    const auto problem = test::problem("ratings", {{"file", folder.write(name, text).string()},
                                                   {"ids", std::string("zero_based")}, {"heldout", 0.0},
                                                   {"center", false}});
    const ProblemData data = test::sample_problem(*problem, 1);
    REQUIRE(data.observed->size() == 3);
    CHECK(data.observed->values == std::vector<double>{3, 5, 4});
    CHECK(data.observed->columns == std::vector<std::int32_t>{std::stoi(item), 0, 1});
  }
}

TEST_CASE("ratings: a damaged file leaks no file descriptor (a refused .npz or text file closes what it opened)") {
  // The reader fuzzer ended with "too many open files": a .npz whose directory was refused inside the
  // archive's constructor left its FILE open. 200 refusals must leave the count of open descriptors as it was.
  test::TemporaryFolder folder("ratings_descriptors");
  const auto damaged_npz = folder.write("damaged.npz", std::string("PK\x05\x06 this is not a zip directory", 33));
  const auto damaged_text = folder.write("damaged.tsv", "1 2 3\n4 5 five\n");
  const auto open_descriptors = [] {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
    return count;
  };
  const std::size_t before = open_descriptors();
  for (int attempt = 0; attempt < 100; ++attempt) {
    CHECK_THROWS(test::problem("ratings", {{"file", damaged_npz.string()}, {"format", std::string("npz")}}));
    CHECK_THROWS(test::problem("ratings", {{"file", damaged_text.string()}}));
  }
  CHECK(open_descriptors() == before);
}
