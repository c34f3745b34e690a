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
