#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("subgradient: geometric, Polyak and constant steps along the composed (sub)gradient") {
  const auto A = test::sample_operator("gaussian_sensing", 8, 2, {{"m", std::int64_t{60}}});
  RandomStream random(3, "test");
  Matrix U(8, 2);
  random.fill_normal(U, 0.3);
  const test::NoiseObjective problem(A, random, "l1", 0.1);
  const Objective& f = problem.f;
  FactorSet gradient;
  const double value = f.value_and_gradient(FactorSet(U), gradient);
  auto stepped = [&](const std::map<std::string, ParameterValue>& changes, Index iteration) {
    FactorSet F(U);
    test::optimizer("subgradient", changes)->step(f, F, iteration);
    return F.left();
  };
  const double geometric = 0.01 * std::pow(0.9, 7);
  CHECK((stepped({{"step", 0.01}, {"decay", 0.9}}, 7) - (U - geometric * gradient.left())).norm() < 1e-14);
  const double polyak = (value - 0.5) / gradient.squared_norm();
  CHECK((stepped({{"schedule", std::string("polyak")}, {"optimal_value", 0.5}}, 3) - (U - polyak * gradient.left()))
            .norm() < 1e-14);
  CHECK((stepped({{"schedule", std::string("constant")}, {"step", 0.02}}, 50) - (U - 0.02 * gradient.left())).norm() <
        1e-14);
  CHECK(test::conforms(PluginKind::optimizer, "subgradient"));
  CHECK(test::conforms(PluginKind::optimizer, "subgradient", {{"schedule", std::string("polyak")}}));
}
