#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("hadamard_sensing: A*(A(X)) averages to X over draws (E[A*A] = I), for symmetric and padded shapes") {
  // A fixed symmetric X (n = 12, padded to 16) and a rectangular one (10 x 6, padded to 16 x 8).
  for (const MatrixShape shape : {MatrixShape::square_symmetric(12), MatrixShape::rectangular(10, 6)}) {
    CAPTURE(shape.describe());
    RandomStream random(2, "test");
    Matrix X(shape.rows, shape.cols);
    random.fill_normal(X);
    if (shape.symmetric) X = (0.5 * (X + X.transpose())).eval();
    Matrix average = Matrix::Zero(shape.rows, shape.cols);
    const int draws = 400;
    for (int seed = 0; seed < draws; ++seed) {
      const auto A = test::sample_operator("hadamard_sensing", shape, static_cast<std::uint64_t>(seed),
                                           {{"m", std::int64_t{200}}});
      Vector y;
      A->forward(X, y);
      average += A->adjoint(y) / draws;
    }
    CHECK((average - X).norm() <= 0.1 * X.norm());
  }
}

TEST_CASE("hadamard_sensing: small random initialization recovers X* as with Gaussian sensing") {
  const test::Study study = test::study(R"(
problem: {n: 40, rank: 2}
measurement: {name: [hadamard_sensing, gaussian_sensing], m: 800}
methods:
  - {label: gd, init: {name: small_random, scale: 1.0e-4}, optimizer: {name: gd, step: 0.1}, width: 40}
run: {iterations: 1500, log_every: 100, seeds: [1, 2]}
)");
  const double structured = study.median("gd", "measurement.name", "hadamard_sensing",
                                         [](const RunResult& r) { return r.final_error; });
  const double gaussian = study.median("gd", "measurement.name", "gaussian_sensing",
                                       [](const RunResult& r) { return r.final_error; });
  CAPTURE(structured);
  CAPTURE(gaussian);
  CHECK(structured <= 1e-3);
  CHECK(structured <= 10 * gaussian);
}

TEST_CASE("hadamard_sensing: stores O(m + n) numbers") {
  const auto model = test::plugins().find(PluginKind::measurement, "hadamard_sensing")
                         .create_measurement(test::values_for(PluginKind::measurement, "hadamard_sensing",
                                                              {{"m", std::int64_t{100000}}}));
  // n = 4096: a dense Gaussian operator would hold 100000 x 4096^2 / 2 doubles (6.7 TB).
  CHECK(model->required_bytes(MatrixShape::square_symmetric(4096)) < (std::size_t{2} << 20));
}
