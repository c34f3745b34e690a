#include <doctest/doctest.h>

#include <algorithm>

#include "support.hpp"

using namespace ncvx;

namespace {
/// Median of |x|.
double median_absolute(Vector x) {
  x = x.cwiseAbs();
  std::sort(x.data(), x.data() + x.size());
  return x(x.size() / 2);
}
}  // namespace

TEST_CASE("student_t: heavy tails at small nu, Gaussian-like at large nu, scaled by s") {
  auto draw = [](double degrees, double scale) {
    const auto corruption = test::corruption("student_t", {{"degrees", degrees}, {"scale", scale}});
    Vector y = Vector::Zero(20000);
    RandomStream random(3, "corruption.0");
    corruption->corrupt(y, random);
    return y;
  };
  // The median of |t| is 0.6745 for N(0, 1), 0.7649 for t_3, 1.0 for t_1 (Cauchy).
  CHECK(median_absolute(draw(1.0, 1.0)) == doctest::Approx(1.0).epsilon(0.05));
  CHECK(median_absolute(draw(3.0, 1.0)) == doctest::Approx(0.7649).epsilon(0.05));
  CHECK(median_absolute(draw(1000.0, 1.0)) == doctest::Approx(0.6745).epsilon(0.05));
  CHECK(median_absolute(draw(3.0, 0.1)) == doctest::Approx(0.07649).epsilon(0.05));
  // Tails: many more |t| > 10 at nu = 1 than at nu = 1000 (none).
  const Vector cauchy = draw(1.0, 1.0), normal = draw(1000.0, 1.0);
  CHECK((cauchy.array().abs() > 10).count() > 500);
  CHECK((normal.array().abs() > 10).count() == 0);
  // Shape below 1 (nu < 2) goes through the boost of Gamma(a) = Gamma(a + 1) U^(1/a).
  CHECK(draw(0.5, 1.0).allFinite());
  CHECK(test::conforms(PluginKind::corruption, "student_t"));
}
