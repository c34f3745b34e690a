#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("gradient_norm: |A*(A(UU^T) - y) U|_F, zero at the ground truth") {
  const auto metric = test::plugins().find(PluginKind::metric, "gradient_norm").create_metric({});
  const auto instance_pointer = test::sensing_instance(8);
  const ProblemInstance& instance = *instance_pointer;
  const auto loss = test::plugins().find(PluginKind::loss, "squared").create_loss({});
  const Objective f(instance.measurement(), *loss, instance.observations());
  double value;
  const FactorSet& Ustar = instance.ground_truth().factors();
  metric->evaluate({instance, f, Ustar, Ustar, 0, 0.1}, &value);
  CHECK(value < 1e-13);
  RandomStream random(1, "test");
  Matrix U(8, 3);
  random.fill_normal(U);
  metric->evaluate({instance, f, FactorSet(U), FactorSet(U), 0, 0.1}, &value);
  Vector residual;
  instance.measurement().forward_factored(FactorSet(U), residual);
  residual -= instance.observations();
  Matrix gradient;
  instance.measurement().adjoint_apply(residual, U, gradient);
  CHECK(value == doctest::Approx(gradient.norm()).epsilon(1e-12));
}
