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
  A->forward_factored(Ustar, y);
  const auto loss = test::plugins().find(PluginKind::loss, "squared").create_loss({});
  const Objective f(*A, *loss, y);

  const double mu = 0.05;
  const auto gd = test::plugins().find(PluginKind::optimizer, "gd").create_optimizer(
      test::values_for(PluginKind::optimizer, "gd", {{"step", mu}}));
  Vector residual;
  A->forward_factored(U, residual);
  residual -= y;
  Matrix expected_gradient;
  A->adjoint_apply(residual, U, expected_gradient);
  const Matrix expected = U - mu * expected_gradient;

  const double before = f.value(U);
  Matrix stepped = U;
  gd->step(f, stepped, 0);
  CHECK((stepped - expected).norm() <= 1e-13 * expected.norm());
  CHECK(f.value(stepped) < before);
}
