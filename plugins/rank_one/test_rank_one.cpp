#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("rank_one: A(X)_i = a_i^T X a_i / sqrt(m), from the stream's a_i, never forms n x n on the factor path") {
  const Index n = 9, m = 50;
  const auto A = test::sample_operator("rank_one", n, 4, {{"m", std::int64_t{m}}});
  RandomStream random(4, "measurement");
  Matrix a(m, n);
  for (Index i = 0; i < m; ++i)
    for (Index j = 0; j < n; ++j) a(i, j) = random.normal();
  RandomStream values(1, "test");
  Matrix U(n, 2);
  values.fill_normal(U);
  Vector measured;
  A->forward_factored(FactorSet(U), measured);
  for (Index i = 0; i < m; ++i)
    CHECK(measured(i) == doctest::Approx((a.row(i) * U).squaredNorm() / std::sqrt(double(m))).epsilon(1e-12));
  CHECK(test::conforms(PluginKind::measurement, "rank_one", {{"m", std::int64_t{40}}}));
}

TEST_CASE("rank_one: E|A(Z)|^2 = 2|Z|_F^2 + trace(Z)^2 (symmetric), = |Z|_F^2 (rectangular)") {
  RandomStream random(6, "test");
  const Matrix Z = test::random_symmetric(6, random);
  Matrix R(6, 4);
  random.fill_normal(R);
  double symmetric = 0, rectangular = 0;
  const int draws = 300;
  for (int d = 0; d < draws; ++d) {
    Vector AZ, AR;
    test::sample_operator("rank_one", 6, 100 + d, {{"m", std::int64_t{40}}})->forward(Z, AZ);
    test::sample_operator("rank_one", MatrixShape::rectangular(6, 4), 100 + d, {{"m", std::int64_t{40}}})
        ->forward(R, AR);
    symmetric += AZ.squaredNorm() / draws;
    rectangular += AR.squaredNorm() / draws;
  }
  CHECK(symmetric == doctest::Approx(2 * Z.squaredNorm() + Z.trace() * Z.trace()).epsilon(0.08));
  CHECK(rectangular == doctest::Approx(R.squaredNorm()).epsilon(0.08));
}

TEST_CASE("rank_one: phase retrieval from a spectral start recovers x x^T at m = 8n") {
  const Experiment experiment = test::experiment_from(R"(
problem: {n: 20, rank: 1}
measurement: {name: rank_one, m: 160}
methods: [{label: gd, init: spectral, optimizer: {name: gd, step: 0.02}, width: 1}]
run: {iterations: 3000, log_every: 100, seeds: [1, 2]}
)");
  for (const auto& run : run_experiment(experiment, test::plugins(), test::options(2)).runs) {
    CHECK(run.status == RunStatus::budget);
    CHECK(run.final_error < 1e-8);
  }
}

TEST_CASE("rank_one: the fused pass gives the reference value and adjoint products for every factoring") {
  // One read of the rows (blocks of four, several segments, k odd) against the
  // definitions: r = A(X) - y, L(r), A*(l'(r)) V and A*(l'(r))^T U from the dense adjoint.
  const auto loss = test::loss("huber", {{"delta", 0.3}});
  struct Case {
    MatrixShape shape;
    Index m, width;
    bool two_factors;
  };
  const Case cases[] = {{MatrixShape::square_symmetric(40), 1203, 3, false},  // 3 segments, 3 leftover rows
                        {MatrixShape::square_symmetric(17), 50, 1, false},
                        {MatrixShape::rectangular(30, 23), 1101, 4, true},
                        {MatrixShape::square_symmetric(25), 700, 5, true}};
  for (const Case& c : cases) {
    CAPTURE(c.shape.describe());
    const auto A = test::sample_operator("rank_one", c.shape, 7, {{"m", std::int64_t{c.m}}});
    RandomStream random(9, "test");
    Matrix U(c.shape.rows, c.width), V(c.shape.cols, c.width);
    Vector y(c.m);
    random.fill_normal(U);
    random.fill_normal(V);
    random.fill_normal(y);
    const FactorSet F = c.two_factors ? FactorSet(U, V) : FactorSet(U);
    test::check_fused_evaluate(*A, F, y, *loss);
  }
}

TEST_CASE("rank_one: three or more columns (panels on AVX-512) give the bits of two (blocks)") {
  // A zero third column adds exact zeros to every product and inner sum, so
  // the value and the first two columns of the adjoint products must match the
  // two-column pass (blocks of four rows everywhere) bit for bit.
  const auto loss = test::loss("huber", {{"delta", 0.3}});
  struct Case {
    MatrixShape shape;
    Index m;
    bool two_factors;
  };
  const Case cases[] = {
      {MatrixShape::square_symmetric(45), 1203, false},  // 3 segments, panels of 5 and 3 rows
      {MatrixShape::rectangular(37, 23), 1101, true},
      {MatrixShape::square_symmetric(130), 517, true}};  // rows of more than one tile
  for (const Case& c : cases) {
    CAPTURE(c.shape.describe());
    const auto A = test::sample_operator("rank_one", c.shape, 5, {{"m", std::int64_t{c.m}}});
    RandomStream random(11, "test");
    Matrix U(c.shape.rows, 2), V(c.shape.cols, 2);
    Vector y(c.m);
    random.fill_normal(U);
    random.fill_normal(V);
    random.fill_normal(y);
    Matrix U3 = Matrix::Zero(c.shape.rows, 3), V3 = Matrix::Zero(c.shape.cols, 3);
    U3.leftCols(2) = U;
    V3.leftCols(2) = V;
    const FactorSet two = c.two_factors ? FactorSet(U, V) : FactorSet(U);
    const FactorSet three = c.two_factors ? FactorSet(U3, V3) : FactorSet(U3);
    FactorSet products_two, products_three;
    FactorEvaluation items[2] = {{&two, &products_two, 0.0}, {&three, &products_three, 0.0}};
    A->evaluate(y, *loss, std::span<FactorEvaluation>(items, 1));
    A->evaluate(y, *loss, std::span<FactorEvaluation>(items + 1, 1));
    CHECK(items[0].value == items[1].value);
    CHECK(products_two.left() == products_three.left().leftCols(2));
    if (c.two_factors) CHECK(products_two.right() == products_three.right().leftCols(2));
  }
}
