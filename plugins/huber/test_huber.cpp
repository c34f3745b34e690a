#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("huber: r^2/4 inside delta, linear outside, continuous with its derivative") {
  const auto loss = test::loss("huber", {{"delta", 1.0}});
  Vector r(4), d(4);
  r << 0.5, -0.5, 3.0, -3.0;
  CHECK(loss->evaluate(r, d) == doctest::Approx(2 * 0.0625 + 2 * (1.5 - 0.25)));
  CHECK(d == (Vector(4) << 0.25, -0.25, 0.5, -0.5).finished());
  // At |r| = delta both pieces agree, and so do their derivatives.
  Vector at(1), below(1), above(1), derivative(1);
  at << 1.0;
  below << 1.0 - 1e-9;
  above << 1.0 + 1e-9;
  CHECK(loss->evaluate(below, derivative) == doctest::Approx(loss->evaluate(above, derivative)).epsilon(1e-8));
  // Large delta: the squared loss.
  const auto wide = test::loss("huber", {{"delta", 1e6}});
  CHECK(wide->evaluate(r, d) == doctest::Approx(test::loss("squared")->evaluate(r, d)));
  CHECK(test::conforms(PluginKind::loss, "huber"));
}
