// Matrix completion: adjoint identity, E[A*A] = I, sampling rate, O(|Omega| k) paths.

#include <doctest/doctest.h>

#include <cmath>

#include <ncvx/testing/conformance.hpp>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("matrix_completion: passes the conformance suite (adjoint identity, factored forward, isometry)") {
  const LoadedPlugin& plugin = test::plugins().find(PluginKind::measurement, "matrix_completion");
  testing::check_conformance(plugin, test::values_for(PluginKind::measurement, "matrix_completion", {{"p", 0.4}}));
  CHECK(all_passed(check_plugin(plugin)));
}

TEST_CASE("matrix_completion: E[A*A(Z)] = Z and |A(Z)|^2 = |P_Omega(Z)|^2 / p") {
  const Index n = 10;
  const double p = 0.3;
  RandomStream random(2, "test");
  const Matrix Z = test::random_symmetric(n, random);
  Matrix mean = Matrix::Zero(n, n);
  const int draws = 2000;
  for (int d = 0; d < draws; ++d) {
    const auto A = test::sample_operator("matrix_completion", n, 1000 + d, {{"p", p}});
    Vector AZ;
    A->forward(Z, AZ);
    mean += A->adjoint(AZ) / draws;
    if (d == 0) {
      // |A(Z)|^2 equals the masked Frobenius norm over p: recover the mask from A*(1 ... ).
      const Matrix mask = A->adjoint(Vector::Ones(A->measurements()));
      double masked = 0;
      for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < n; ++i)
          if (mask(i, j) != 0) masked += Z(i, j) * Z(i, j);
      CHECK(AZ.squaredNorm() == doctest::Approx(masked / p).epsilon(1e-12));
    }
  }
  // Entrywise standard error about |Z_ij| sqrt((1-p)/(p draws)) ~ 0.034 |Z_ij|.
  CHECK((mean - Z).norm() <= 0.1 * Z.norm());
}

TEST_CASE("matrix_completion: observes a fraction p of the n(n+1)/2 pairs, each at most once") {
  const Index n = 300;
  const double p = 0.05;
  const auto A = test::sample_operator("matrix_completion", n, 8, {{"p", p}});
  const double expected = p * n * (n + 1) / 2.0;
  const double deviation = std::sqrt(expected * (1 - p));
  CHECK(std::abs(A->measurements() - expected) < 5 * deviation);
  const Matrix mask = A->adjoint(Vector::Ones(A->measurements()));
  // Diagonal weight 1/sqrt(p); each off-diagonal pair contributes sqrt(2)/(2 sqrt(p)) once.
  for (Index j = 0; j < n; ++j)
    for (Index i = 0; i < n; ++i) {
      const double expected_entry = i == j ? 1 / std::sqrt(p) : 1 / std::sqrt(2 * p);
      if (mask(i, j) != 0) CHECK(mask(i, j) == doctest::Approx(expected_entry));
    }
  const auto full = test::sample_operator("matrix_completion", 6, 8, {{"p", 1.0}});
  CHECK(full->measurements() == 21);
}

TEST_CASE("matrix_completion: rectangular shapes sample each entry with probability p, A(Z) = Z_Omega / sqrt(p)") {
  const MatrixShape shape = MatrixShape::rectangular(60, 45);
  const auto A = test::sample_operator("matrix_completion", shape, 3, {{"p", 0.2}});
  CHECK(A->shape() == shape);
  CHECK(double(A->measurements()) == doctest::Approx(0.2 * 60 * 45).epsilon(0.06));
  RandomStream random(1, "test");
  Matrix Z(60, 45);
  random.fill_normal(Z);
  Vector AZ;
  A->forward(Z, AZ);
  // A*(A(Z)) is Z on Omega divided by p, zero elsewhere.
  const Matrix back = A->adjoint(AZ);
  Index observed = 0;
  for (Index i = 0; i < 60; ++i)
    for (Index j = 0; j < 45; ++j)
      if (back(i, j) != 0) {
        CHECK(back(i, j) == doctest::Approx(Z(i, j) / 0.2));
        ++observed;
      }
  CHECK(observed == A->measurements());
}

TEST_CASE("matrix_completion: a data problem's entries are measured in column order, p estimated from their count") {
  MatrixEntries entries;
  entries.add(0, 1, 2.0);
  entries.add(3, 2, -1.0);
  entries.add(1, 1, 0.5);
  const LoadedPlugin& plugin = test::plugins().find(PluginKind::measurement, "matrix_completion");
  const auto model = plugin.create_measurement(test::values_for(PluginKind::measurement, "matrix_completion"));
  RandomStream random(1, "measurement");
  const auto A = plugin.hold(model->sample(MeasurementSetting{MatrixShape::rectangular(4, 3), &entries}, random));
  REQUIRE(A->measurements() == 3);
  Vector y;
  A->forward_entries(entries, y);
  const double weight = 1.0 / std::sqrt(3.0 / 12.0);  // p = |Omega| / (n1 n2) = 1/4
  CHECK(y(0) == doctest::Approx(2.0 * weight));   // (0, 1)
  CHECK(y(1) == doctest::Approx(0.5 * weight));   // (1, 1)
  CHECK(y(2) == doctest::Approx(-1.0 * weight));  // (3, 2)
  // The same through the dense forward.
  Matrix X = Matrix::Zero(4, 3);
  X(0, 1) = 2.0;
  X(3, 2) = -1.0;
  X(1, 1) = 0.5;
  Vector dense;
  A->forward(X, dense);
  CHECK((dense - y).norm() < 1e-14);
}

TEST_CASE("matrix_completion: the fused pass and the adjoint products agree with the dense reference") {
  // The fused kernel (compressed columns, rows padded to groups of four lanes,
  // several segments) against the plain definitions: r = A(X) - y, L(r), and
  // A*(l'(r)) V, A*(l'(r))^T U from the dense adjoint. Its sums are ordered
  // differently, so they agree to rounding, not bit for bit.
  const auto loss = test::loss("huber", {{"delta", 0.5}});
  struct Case {
    MatrixShape shape;
    double p;
    Index width;
    bool two_factors;
  };
  // Tiles are 512 x 512 from p = 0.038 (1024 and 2048 when sparser): the
  // larger shapes span several, and several segments.
  const Case cases[] = {{MatrixShape::square_symmetric(2500), 0.02, 4, false},   // tiles of 1024: 6 of them
                        {MatrixShape::rectangular(3000, 2100), 0.005, 3, true},  // tiles of 2048: 2 x 2
                        {MatrixShape::square_symmetric(1100), 0.15, 1, false},   // 6 tiles, 90 000 pairs
                        {MatrixShape::square_symmetric(1100), 0.15, 5, false},
                        {MatrixShape::square_symmetric(300), 0.5, 10, false},
                        {MatrixShape::square_symmetric(120), 0.5, 37, false},  // beyond the unrolled widths
                        {MatrixShape::rectangular(600, 1300), 0.1, 6, true},   // 2 x 3 tiles
                        {MatrixShape::square_symmetric(700), 0.3, 3, true}};
  for (const Case& c : cases) {
    CAPTURE(c.shape.describe());
    CAPTURE(c.width);
    const auto A = test::sample_operator("matrix_completion", c.shape, 5, {{"p", c.p}});
    RandomStream random(3, "test");
    Matrix U(c.shape.rows, c.width), V(c.shape.cols, c.width);
    Vector y(A->measurements());
    random.fill_normal(U);
    random.fill_normal(V);
    random.fill_normal(y);
    const FactorSet F = c.two_factors ? FactorSet(U, V) : FactorSet(U);
    const auto reference = test::check_fused_evaluate(*A, F, y, *loss);
    const Vector& derivative = reference.derivative;
    const Matrix &left = reference.left, &right = reference.right;
    // The segmented adjoint products (the spectral initialization's path).
    Matrix applied;
    A->adjoint_apply(derivative, F.right(), applied);
    CHECK((applied - left).norm() <= 1e-12 * left.norm());
    A->adjoint_transpose_apply(derivative, F.left(), applied);
    CHECK((applied - right).norm() <= 1e-12 * right.norm());
    FactorSet products;
    FactorEvaluation item{&F, &products, 0.0}, value_only{&F, nullptr, 0.0};
    A->evaluate(y, *loss, std::span<FactorEvaluation>(&item, 1));
    A->evaluate(y, *loss, std::span<FactorEvaluation>(&value_only, 1));
    CHECK(value_only.value == item.value);  // the same sums, bit for bit
  }
}
