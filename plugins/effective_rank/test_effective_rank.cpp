#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("effective_rank: r equal directions give r, a dominant one gives about 1") {
  const auto metric = test::plugins().find(PluginKind::metric, "effective_rank").create_metric({});
  CHECK(metric->columns() == std::vector<std::string>{"effective_rank"});
  const auto instance_pointer = test::sensing_instance(8);
  const ProblemInstance& instance = *instance_pointer;
  const auto loss = test::plugins().find(PluginKind::loss, "squared").create_loss({});
  const Objective f(instance.measurement(), *loss, instance.observations());
  Matrix U = Matrix::Zero(8, 4);
  U(0, 0) = U(1, 1) = U(2, 2) = 0.3;
  double value;
  metric->evaluate({instance, f, FactorSet(U), FactorSet(U), 0, 0.1}, &value);
  CHECK(value == doctest::Approx(3.0));
  U(0, 0) = 100;
  metric->evaluate({instance, f, FactorSet(U), FactorSet(U), 0, 0.1}, &value);
  CHECK(value < 1.001);
  // X = U V^T: the singular values of U V^T (here V = 2 U: those of 2 U U^T).
  U(0, 0) = 0.3;
  metric->evaluate({instance, f, FactorSet(U, 2 * U), FactorSet(U), 0, 0.1}, &value);
  CHECK(value == doctest::Approx(3.0));
}
