#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("one_bit: signs of y + s e, with P(y = 1) = sigma(z / s) for logistic e") {
  const auto corruption = test::corruption("one_bit", {{"scale", 1.0}});
  const Index m = 200000;
  Vector y = Vector::Constant(m, 1.0);  // z = 1: P(+1) = sigma(1) = 0.731
  RandomStream random(3, "corruption.0");
  corruption->corrupt(y, random);
  CHECK((y.array().abs() == 1.0).all());
  const double positive = static_cast<double>((y.array() > 0).count()) / static_cast<double>(m);
  CHECK(positive == doctest::Approx(1.0 / (1.0 + std::exp(-1.0))).epsilon(0.005));
  // Gaussian noise: Phi(1) = 0.841; no noise: the bare signs.
  Vector probit = Vector::Constant(m, 1.0);
  test::corruption("one_bit", {{"noise", std::string("gaussian")}})->corrupt(probit, random);
  CHECK(static_cast<double>((probit.array() > 0).count()) / static_cast<double>(m) ==
        doctest::Approx(0.8413).epsilon(0.005));
  Vector bare(3);
  bare << -0.1, 0.0, 2.0;
  test::corruption("one_bit", {{"scale", 0.0}})->corrupt(bare, random);
  CHECK(bare == Vector((Vector(3) << -1.0, 1.0, 1.0).finished()));
  CHECK(test::conforms(PluginKind::corruption, "one_bit"));
}
