#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("squared: value r^2/4 summed, derivative r/2") {
  const auto loss = test::plugins().find(PluginKind::loss, "squared").create_loss({});
  Vector r(3), d(3);
  r << 1.0, -2.0, 0.5;
  CHECK(loss->evaluate(r, d) == doctest::Approx((1.0 + 4.0 + 0.25) / 4));
  CHECK(d(0) == 0.5);
  CHECK(d(1) == -1.0);
  CHECK(d(2) == 0.25);
  const Vector zero = Vector::Zero(4);
  Vector dz(4);
  CHECK(loss->evaluate(zero, dz) == 0.0);
  CHECK(dz.norm() == 0.0);
}
