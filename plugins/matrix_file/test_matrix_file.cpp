#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>

#include <fmt/format.h>

#include "support.hpp"

using namespace ncvx;

namespace {

/// The 5 x 4 matrix X_ij = (i + 1) * (j + 2) + (i == j ? 0.5 : 0) (rank > 1).
Matrix example() {
  Matrix X(5, 4);
  for (Index i = 0; i < 5; ++i)
    for (Index j = 0; j < 4; ++j) X(i, j) = double((i + 1) * (j + 2)) + (i == j ? 0.5 : 0.0);
  return X;
}

/// X* read back, undoing the spectral normalization.
Matrix read_back(const std::filesystem::path& file, const std::map<std::string, ParameterValue>& extra = {}) {
  auto changes = extra;
  changes["file"] = file.string();
  changes["normalization"] = std::string("none");
  const ProblemData data = test::sample_problem(*test::problem("matrix_file", changes), 1);
  return data.ground_truth->dense();
}

void write_npy(const std::filesystem::path& file, const Matrix& X) {
  std::string header = fmt::format("{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, {}), }}", X.rows(), X.cols());
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream stream(file, std::ios::binary);
  stream.write("\x93NUMPY\x01\x00", 8);
  const std::uint16_t length = static_cast<std::uint16_t>(header.size());
  stream.put(static_cast<char>(length & 0xff));
  stream.put(static_cast<char>(length >> 8));
  stream << header;
  for (Index i = 0; i < X.rows(); ++i)
    for (Index j = 0; j < X.cols(); ++j) stream.write(reinterpret_cast<const char*>(&X(i, j)), sizeof(double));
}

}  // namespace

TEST_CASE("matrix_file: .csv, .npy, MatrixMarket (array, coordinate) and images read the same matrix") {
  test::TemporaryFolder folder("matrix_file");
  const Matrix X = example();
  std::string csv = "# a comment\n";
  for (Index i = 0; i < 5; ++i) {
    for (Index j = 0; j < 4; ++j) csv += fmt::format("{}{}", j ? ", " : "", X(i, j));
    csv += "\n";
  }
  CHECK((read_back(folder.write("x.csv", csv)) - X).norm() < 1e-12);

  write_npy(folder.path() / "x.npy", X);
  CHECK((read_back(folder.path() / "x.npy") - X).norm() < 1e-12);

  std::string array = "%%MatrixMarket matrix array real general\n% comment\n5 4\n";
  for (Index j = 0; j < 4; ++j)
    for (Index i = 0; i < 5; ++i) array += fmt::format("{}\n", X(i, j));
  CHECK((read_back(folder.write("x.mtx", array)) - X).norm() < 1e-12);

  std::string coordinate = "%%MatrixMarket matrix coordinate real general\n5 4 20\n";
  for (Index i = 0; i < 5; ++i)
    for (Index j = 0; j < 4; ++j) coordinate += fmt::format("{} {} {}\n", i + 1, j + 1, X(i, j));
  CHECK((read_back(folder.write("c.mtx", coordinate)) - X).norm() < 1e-12);

  // A binary PGM image (pixel / 255): a gradient.
  std::string pgm = "P5\n4 3\n255\n";
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) pgm += static_cast<char>(20 * i + 60 * j);
  const Matrix image = read_back(folder.write("g.pgm", pgm));
  REQUIRE(image.rows() == 3);
  REQUIRE(image.cols() == 4);
  CHECK(image(2, 3) == doctest::Approx((40 + 180) / 255.0));
  CHECK(image(0, 1) == doctest::Approx(60 / 255.0));
}

TEST_CASE("matrix_file: truncation to rank r, normalization, symmetric matrices, clear errors") {
  test::TemporaryFolder folder("matrix_file_rank");
  const Matrix X = example();
  std::string csv;
  for (Index i = 0; i < 5; ++i) {
    for (Index j = 0; j < 4; ++j) csv += fmt::format("{} ", X(i, j));
    csv += "\n";
  }
  const auto file = folder.write("x.txt", csv);
  const Eigen::JacobiSVD<Matrix> svd(X, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Matrix best = svd.matrixU().leftCols(1) * svd.singularValues().head(1).asDiagonal() *
                      svd.matrixV().leftCols(1).transpose();
  CHECK((read_back(file, {{"rank", std::int64_t{1}}}) - best).norm() < 1e-10);
  const auto normalized = test::problem("matrix_file", {{"file", file.string()}});
  CHECK(test::sample_problem(*normalized, 1).ground_truth->values()(0) == doctest::Approx(1.0));
  CHECK(normalized->describe().shape == MatrixShape::rectangular(5, 4));

  const Matrix S = X.topRows(4) + X.topRows(4).transpose();
  std::string symmetric;
  for (Index i = 0; i < 4; ++i) {
    for (Index j = 0; j < 4; ++j) symmetric += fmt::format("{},", S(i, j));
    symmetric += "\n";
  }
  const auto sfile = folder.write("s.csv", symmetric);
  const auto problem = test::problem("matrix_file", {{"file", sfile.string()}, {"symmetric", true}});
  CHECK(problem->describe().shape == MatrixShape::square_symmetric(4));
  CHECK_THROWS_WITH(test::problem("matrix_file", {{"file", file.string()}, {"symmetric", true}}),
                    doctest::Contains("the matrix is not symmetric"));
  CHECK_THROWS_WITH(test::problem("matrix_file", {{"file", folder.write("bad.csv", "1, 2\n3\n").string()}}),
                    doctest::Contains("line 2 has 1 values"));
  CHECK_THROWS_WITH(test::problem("matrix_file", {{"file", folder.write("bad.npy", "not numpy").string()}}),
                    doctest::Contains("not a .npy file"));
  CHECK(test::conforms(PluginKind::problem, "matrix_file", {{"file", file.string()}}));
}

namespace {

/// A .npy file whose header says `shape` and `descr`, followed by `data_bytes` zero bytes.
std::string npy_with(const std::string& shape, const std::string& descr, std::size_t data_bytes, char version = 1) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string text = std::string("\x93NUMPY") + version + '\0';
  text += static_cast<char>(header.size() & 0xff);
  text += static_cast<char>(header.size() >> 8);
  return text + header + std::string(data_bytes, '\0');
}

}  // namespace

TEST_CASE("matrix_file: hostile files are refused from their headers, with the file and the reason, before any "
          "allocation") {
  test::TemporaryFolder folder("matrix_file_hostile");
  const std::vector<std::pair<std::string, std::string>> npy = {
      // a shape whose product wraps in 64 bits: once a segfault at load
      {npy_with("(4294967296, 4294967297)", "<f8", 16), "1 x 1 to 2^31 entries"},
      {npy_with("(18446744073709551615, 2)", "<f8", 16), "not a list of sizes"},
      {npy_with("(1, 2147483649)", "<f8", 16), "1 x 1 to 2^31 entries"},
      {npy_with("('a', 3)", "<f8", 16), "not a list of sizes"},
      {npy_with("(-3, 3)", "<f8", 16), "not a list of sizes"},
      {npy_with("(3,)", "<f8", 24), "must be 2-dimensional"},
      // the data shorter than the shape says: refused before reading it
      {npy_with("(3000, 3000)", "<f8", 800), "the .npy data is shorter than its shape says (72000000 bytes"},
      {npy_with("(2, 2)", "<c16", 64), "unsupported .npy type '<c16'"},
      {npy_with("(2, 2)", "<f8", 32, '\x09'), "not a .npy file of version 1, 2 or 3"},
  };
  for (std::size_t i = 0; i < npy.size(); ++i) {
    const auto file = folder.write(fmt::format("hostile{}.npy", i), npy[i].first);
    CHECK_THROWS_WITH(test::problem("matrix_file", {{"file", file.string()}}),
                      doctest::Contains(npy[i].second.c_str()));
    CHECK_THROWS_WITH(test::problem("matrix_file", {{"file", file.string()}}), doctest::Contains(file.string().c_str()));
  }
  const std::vector<std::pair<std::string, std::string>> mtx = {
      {"%%MatrixMarket matrix coordinate real general\n4294967296 4294967297 1\n1 1 1\n", "2: the size line states a 4294967296 x 4294967297 matrix"},
      {"%%MatrixMarket matrix coordinate real general\n3 3 99999999999\n1 1 1\n", "promises 99999999999 entries"},
      {"%%MatrixMarket matrix array real general\n3000 3000\n1\n", "promises 9000000 values"},
      {"%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 1\n7 1 2\n", "4: entry (7, 1) is outside"},
      {"%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 1\nx 1 2\n", "4: 'x 1 2' is not `row column"},
      {"%%MatrixMarket matrix coordinate real general\n3 3 x\n", "2: the size line '3 3 x' is not rows cols entries"},
      {"%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1\n2 2 2\n", "the file ends after 2 of 3 entries"},
  };
  for (std::size_t i = 0; i < mtx.size(); ++i) {
    const auto file = folder.write(fmt::format("hostile{}.mtx", i), mtx[i].first);
    CHECK_THROWS_WITH(test::problem("matrix_file", {{"file", file.string()}}),
                      doctest::Contains(mtx[i].second.c_str()));
  }
}

TEST_CASE("matrix_file: a missing file is a configuration error at the key, resolved against the config's folder") {
  test::TemporaryFolder folder("matrix_file_config");
  folder.write("m.csv", "1, 2\n3, 4\n");
  const auto config = folder.write("c.yaml", R"(problem: {name: matrix_file, file: m.csv}
measurement: {name: matrix_completion, p: 0.5}
methods: [{init: spectral, optimizer: gd, width: 1}]
)");
  const Experiment experiment = load_experiment(config.string(), {}, test::plugins());
  const std::string resolved = experiment.resolved.to_yaml();
  CHECK(resolved.find((folder.path() / "m.csv").string()) != std::string::npos);
  std::string message;
  try {
    load_experiment(config.string(), {"problem.file=missing.csv"}, test::plugins());
  } catch (const ConfigError& error) {
    message = error.what();
  }
  CHECK(message.find("command-line override `problem.file=missing.csv`") != std::string::npos);
  CHECK(message.find("no such file") != std::string::npos);
}
