#include <doctest/doctest.h>

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
  Vector y(70);
  random.fill_normal(y, 0.1);
  const auto loss = test::plugins().find(PluginKind::loss, "squared").create_loss({});
  const Objective f(*A, *loss, y);
  Vector residual;
  A->forward_factored(FactorSet(U, V), residual);
  residual -= y;
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
