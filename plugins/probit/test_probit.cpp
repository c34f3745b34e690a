#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("probit: l(z, y) = -log Phi(y z / s), its slope, finite and continuous across the tail switch") {
  const auto loss = test::loss("probit");
  Vector z(3), y(3), d(3);
  z << 0.0, 1.0, -1.0;
  y << 1.0, 1.0, 1.0;
  const auto Phi = [](double t) { return 0.5 * std::erfc(-t / std::sqrt(2.0)); };
  const double value = loss->evaluate_observed(z - y, y, d);
  CHECK(value == doctest::Approx(-std::log(0.5) - std::log(Phi(1.0)) - std::log(Phi(-1.0))).epsilon(1e-12));
  CHECK(d(0) == doctest::Approx(-std::sqrt(2.0 / M_PI)).epsilon(1e-12));  // -phi(0) / Phi(0)
  // Either side of t = -20: the erfc form and the series agree to 1e-6.
  const Vector sign = Vector::Ones(1);
  Vector above(1), below(1), slope_above(1), slope_below(1);
  above << -20.0 + 1e-9;
  below << -20.0 - 1e-9;
  const double value_above = loss->evaluate_observed(above - sign, sign, slope_above);
  const double value_below = loss->evaluate_observed(below - sign, sign, slope_below);
  CHECK(value_below == doctest::Approx(value_above).epsilon(1e-6));
  CHECK(slope_below(0) == doctest::Approx(slope_above(0)).epsilon(1e-6));
  Vector far(1), far_slope(1);
  far << -1e6;
  CHECK(std::isfinite(loss->evaluate_observed(far - Vector::Ones(1), Vector::Ones(1), far_slope)));
  CHECK(std::isfinite(far_slope(0)));
  Vector half(1);
  half << 0.5;
  CHECK(loss->refuses(half).find("noise: gaussian") != std::string::npos);
  CHECK(test::conforms(PluginKind::loss, "probit"));
}
