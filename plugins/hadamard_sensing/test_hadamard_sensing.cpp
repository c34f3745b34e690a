#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("hadamard_sensing: A*(A(X)) averages to X over draws (E[A*A] = I), for symmetric and padded shapes") {
  // A fixed symmetric X (n = 12, padded to 16) and a rectangular one (10 x 6, padded to 16 x 8).
  for (const MatrixShape& shape : {MatrixShape::square_symmetric(12), MatrixShape::rectangular(10, 6)}) {
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
  // n = 4096: a dense Gaussian operator would hold 100000 x 4096^2 / 2 doubles (6.7 TB);
  // this one 24 bytes per coordinate and 24 per padded row.
  CHECK(model->required_bytes(MatrixShape::square_symmetric(4096)) < (std::size_t{3} << 20));
}

TEST_CASE("hadamard_sensing: the sliced passes give the dense definitions, for every factoring and padding") {
  // Widths across slices (32 columns) with a partial last slice, shapes whose
  // padded sizes differ (p_1 != p_2 in both directions), and the symmetric
  // shape fitted by U V^T (the mirrored products and both adjoints).
  const auto loss = test::loss("huber", {{"delta", 0.3}});
  struct Case {
    MatrixShape shape;
    Index width;
    bool two_factors;
  };
  const Case cases[] = {{MatrixShape::square_symmetric(40), 70, false},  {MatrixShape::square_symmetric(40), 37, true},
                        {MatrixShape::rectangular(50, 9), 35, true},     {MatrixShape::rectangular(9, 50), 3, true},
                        {MatrixShape::rectangular(100, 33), 66, true},  {MatrixShape::square_symmetric(5), 2, false}};
  for (const Case& c : cases) {
    CAPTURE(c.shape.describe());
    CAPTURE(c.width);
    const Index m = 900;
    const auto A = test::sample_operator("hadamard_sensing", c.shape, 5, {{"m", std::int64_t{m}}});
    RandomStream random(6, "test");
    Matrix U(c.shape.rows, c.width), V(c.shape.cols, c.width);
    Vector y(m);
    random.fill_normal(U);
    random.fill_normal(V);
    random.fill_normal(y);
    const FactorSet F = c.two_factors ? FactorSet(U, V) : FactorSet(U);
    // A(U V^T) through the transforms of the factors against the dense forward.
    Vector factored, dense;
    A->forward_factored(F, factored);
    A->forward(c.two_factors ? Matrix(U * V.transpose()) : Matrix(U * U.transpose()), dense);
    CHECK((factored - dense).norm() <= 1e-12 * dense.norm());
    // A*(v) M through the sliced gather against the dense adjoint.
    const Matrix W = A->adjoint(y);
    Matrix product;
    A->adjoint_apply(y, V, product);
    CHECK((product - W * V).norm() <= 1e-12 * (W * V).norm());
    A->adjoint_transpose_apply(y, U, product);
    CHECK((product - W.transpose() * U).norm() <= 1e-12 * (W.transpose() * U).norm());
    test::check_fused_evaluate(*A, F, y, *loss);
  }
}
