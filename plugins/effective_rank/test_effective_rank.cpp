#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("effective_rank: r equal directions give r; a dominant one gives about 1") {
  const auto metric = test::plugins().find(PluginKind::metric, "effective_rank").create_metric({});
  CHECK(metric->columns() == std::vector<std::string>{"effective_rank"});
  ProblemSpec spec;
  spec.dimension = 8;
  const ProblemInstance instance(spec, test::sample_operator("gaussian_sensing", 8, 1), 1);
  const auto loss = test::plugins().find(PluginKind::loss, "squared").create_loss({});
  const Objective f(instance.measurement(), *loss, instance.observations());
  Matrix U = Matrix::Zero(8, 4);
  U(0, 0) = U(1, 1) = U(2, 2) = 0.3;
  double value;
  metric->evaluate({instance, f, U, U, 0, 0.1}, &value);
  CHECK(value == doctest::Approx(3.0));
  U(0, 0) = 100;
  metric->evaluate({instance, f, U, U, 0, 0.1}, &value);
  CHECK(value < 1.001);
}
