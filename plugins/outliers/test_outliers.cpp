#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("outliers: exactly round(fraction m) entries replaced, at magnitude x rms(y), the rest untouched") {
  RandomStream values(2, "test");
  Vector clean(1000);
  values.fill_normal(clean, 0.01);
  const double rms = clean.norm() / std::sqrt(1000.0);
  for (const std::string distribution : {"gaussian", "uniform", "sign"}) {
    CAPTURE(distribution);
    const auto corruption =
        test::corruption("outliers", {{"fraction", 0.1}, {"magnitude", 50.0}, {"distribution", distribution}});
    Vector y = clean;
    RandomStream random(7, "corruption.0");
    corruption->corrupt(y, random);
    Index changed = 0;
    double largest = 0;
    for (Index i = 0; i < 1000; ++i)
      if (y(i) != clean(i)) {
        ++changed;
        largest = std::max(largest, std::abs(y(i)));
        if (distribution == "sign") CHECK(std::abs(y(i)) == doctest::Approx(50 * rms));
        if (distribution == "uniform") CHECK(std::abs(y(i)) <= 50 * rms);
      }
    CHECK(changed == 100);
    CHECK(largest > 10 * rms);
  }
  CHECK(test::conforms(PluginKind::corruption, "outliers"));
}
