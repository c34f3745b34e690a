#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("counts: y <- Poisson(exp(y)), mean and variance exp(y) on both sides of the sampler's switch at 30") {
  for (const double rate : {0.5, 4.0, 100.0}) {
    CAPTURE(rate);
    const Index m = 100000;
    Vector y = Vector::Constant(m, std::log(rate));
    RandomStream random(5, "corruption.0");
    test::corruption("counts")->corrupt(y, random);
    CHECK((y.array() >= 0).all());
    CHECK((y.array() == y.array().floor()).all());
    const double mean = y.mean(), variance = (y.array() - mean).square().mean();
    CHECK(mean == doctest::Approx(rate).epsilon(0.02));
    CHECK(variance == doctest::Approx(rate).epsilon(0.04));
  }
  Vector huge = Vector::Constant(2, 40.0);  // exp(40) = 2.4e17
  RandomStream random(1, "corruption.0");
  CHECK_THROWS_WITH_AS(test::corruption("counts")->corrupt(huge, random), doctest::Contains("largest_rate"),
                       std::invalid_argument);
  CHECK(test::conforms(PluginKind::corruption, "counts"));
}
