#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("gradient_norm: |A*(A(UU^T) - y) U|_F, zero at the ground truth") {
  const auto metric = test::plugins().find(PluginKind::metric, "gradient_norm").create_metric({});
  ProblemSpec spec;
  spec.dimension = 8;
  const ProblemInstance instance(spec, test::sample_operator("gaussian_sensing", 8, 1), 1);
  const auto loss = test::plugins().find(PluginKind::loss, "squared").create_loss({});
  const Objective f(instance.measurement(), *loss, instance.observations());
  double value;
  const Matrix& Ustar = instance.ground_truth_factor();
  metric->evaluate({instance, f, Ustar, Ustar, 0, 0.1}, &value);
  CHECK(value < 1e-13);
  RandomStream random(1, "test");
  Matrix U(8, 3);
  random.fill_normal(U);
  metric->evaluate({instance, f, U, U, 0, 0.1}, &value);
  Vector residual;
  instance.measurement().forward_factored(U, residual);
  residual -= instance.observations();
  Matrix gradient;
  instance.measurement().adjoint_apply(residual, U, gradient);
  CHECK(value == doctest::Approx(gradient.norm()).epsilon(1e-12));
}
