#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("gd: one step is U - mu A*(A(UU^T) - y) U and decreases f for a small step") {
  const Index n = 10, k = 3;
  const auto A = test::sample_operator("gaussian_sensing", n, 2, {{"m", std::int64_t{80}}});
  RandomStream random(3, "test");
  Matrix Ustar(n, 2), U(n, k);
  random.fill_normal(Ustar, 0.2);
  random.fill_normal(U, 0.2);
  Vector y;
  A->forward_factored(FactorSet(Ustar), y);
  const auto loss = test::plugins().find(PluginKind::loss, "squared").create_loss({});
  const Objective f(*A, *loss, y);

  const double mu = 0.05;
  const auto gd = test::plugins().find(PluginKind::optimizer, "gd").create_optimizer(
      test::values_for(PluginKind::optimizer, "gd", {{"step", mu}}));
  Vector residual;
  A->forward_factored(FactorSet(U), residual);
  residual -= y;
  Matrix expected_gradient;
  A->adjoint_apply(residual, U, expected_gradient);
  const Matrix expected = U - mu * expected_gradient;

  const double before = f.value(FactorSet(U));
  FactorSet stepped(U);
  gd->step(f, stepped, 0);
  CHECK((stepped.left() - expected).norm() <= 1e-13 * expected.norm());
  CHECK(f.value(stepped) < before);
}

TEST_CASE("gd: on X = U V^T each factor steps along its own gradient") {
  const auto A = test::sample_operator("gaussian_sensing", MatrixShape::rectangular(9, 6), 2, {{"m", std::int64_t{70}}});
  RandomStream random(5, "test");
  Matrix U(9, 2), V(6, 2);
  random.fill_normal(U, 0.3);
  random.fill_normal(V, 0.3);
  const test::NoiseObjective problem(A, random, "squared", 0.1);
  const Objective& f = problem.f;
  Vector residual;
  A->forward_factored(FactorSet(U, V), residual);
  residual -= problem.y;
  // grad_U f = A*(r/2) V, grad_V f = A*(r/2)^T U.
  const Matrix W = A->adjoint(0.5 * residual);
  const auto gd = test::plugins().find(PluginKind::optimizer, "gd").create_optimizer(
      test::values_for(PluginKind::optimizer, "gd", {{"step", 0.2}}));
  FactorSet stepped(U, V);
  gd->step(f, stepped, 0);
  CHECK((stepped.left() - (U - 0.2 * W * V)).norm() <= 1e-13 * U.norm());
  CHECK((stepped.right() - (V - 0.2 * W.transpose() * U)).norm() <= 1e-13 * V.norm());
  CHECK(f.value(stepped) < f.value(FactorSet(U, V)));
}

TEST_CASE("gd: relative steps divide by sigma_1(A*(y)), the same relative step fits X* and 10 X*") {
  const auto A = test::sample_operator("gaussian_sensing", 10, 2, {{"m", std::int64_t{200}}});
  RandomStream random(3, "test");
  Matrix Ustar(10, 2), U(10, 2);
  random.fill_normal(Ustar, 0.3);
  random.fill_normal(U, 0.01);
  const auto loss = test::loss("squared");
  for (const double size : {1.0, 10.0}) {
    CAPTURE(size);
    Vector y;
    A->forward_factored(FactorSet(std::sqrt(size) * Ustar), y);
    const Objective f(*A, *loss, y);
    const Matrix M = A->adjoint(y);
    CHECK(f.scale() == doctest::Approx(M.jacobiSvd().singularValues()(0)).epsilon(1e-6));
    FactorSet gradient, expected(U), stepped(U);
    f.value_and_gradient(expected, gradient);
    expected -= (0.2 / f.scale()) * gradient;
    const auto gd = test::optimizer("gd", {{"step", 0.2}, {"relative", true}});
    gd->step(f, stepped, 0);
    CHECK(stepped == expected);
    for (Index t = 1; t < 1500; ++t) gd->step(f, stepped, t);
    CHECK((stepped.product() - size * Ustar * Ustar.transpose()).norm() <= 1e-6 * size * Ustar.squaredNorm());
  }
}

TEST_CASE("gd: Armijo backtracking decreases f at every step and converges where the fixed step diverges") {
  const auto A = test::sample_operator("gaussian_sensing", 10, 2, {{"m", std::int64_t{200}}});
  RandomStream random(4, "test");
  Matrix Ustar(10, 2), U(10, 2);
  random.fill_normal(Ustar, 0.3);
  random.fill_normal(U, 0.3);
  Vector y;
  A->forward_factored(FactorSet(Ustar), y);
  const auto loss = test::loss("squared");
  const Objective f(*A, *loss, y);
  const auto searched = test::optimizer("gd", {{"step", 5.0}, {"line_search", true}});
  const auto fixed = test::optimizer("gd", {{"step", 5.0}});
  FactorSet a(U), b(U);
  double value = f.value(a);
  for (Index t = 0; t < 300; ++t) {
    searched->step(f, a, t);
    const double next = f.value(a);
    CHECK(next <= value);
    value = next;
    fixed->step(f, b, t);
  }
  CHECK(value <= 1e-12 * f.value(FactorSet(U)));
  CHECK(!(f.value(b) < f.value(FactorSet(U))));  // diverged (or NaN)
}

TEST_CASE("gd: phase retrieval from a random start escapes in O(log n) iterations, then converges linearly") {
  const test::Study study = test::study(R"(
problem: {name: low_rank_psd, n: [32, 256], rank: 1}
measurement: {name: rank_one, m: [320, 2560]}
sweep: {zip: [[problem.n, measurement.m]]}
methods:
  - {label: gd, init: {name: small_random, scale: 1.0, entry_variance: inverse_dimension}, optimizer: {name: gd, step: 0.1}, width: 1}
metrics: [{name: milestones, thresholds: [0.1, 1.0e-8]}]
run: {iterations: 1000, log_every: 100, seeds: [1, 2, 3], stop: {test_error: 1.0e-8}}
)");
  auto median = [&](const char* n, const char* column) {
    return study.median("gd", "problem.n", n, [&](const RunResult& r) { return study.summary(r, column); });
  };
  const double escape_small = median("32", "iterations_to_1e-01"), escape_large = median("256", "iterations_to_1e-01");
  const double linear_small = median("32", "iterations_to_1e-08") - escape_small;
  const double linear_large = median("256", "iterations_to_1e-08") - escape_large;
  CAPTURE(escape_small);
  CAPTURE(escape_large);
  // n grows 8x: the escape takes at most twice as long, and the linear phase as long within 25 %.
  CHECK(escape_large <= 2 * escape_small);
  CHECK(linear_large == doctest::Approx(linear_small).epsilon(0.25));
}
