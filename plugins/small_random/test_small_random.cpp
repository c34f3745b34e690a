#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace ncvx;

namespace {
Matrix draw(double scale, const std::string& variance, Index width, std::uint64_t seed) {
  const auto A = test::sample_operator("gaussian_sensing", 30, 1, {{"m", std::int64_t{5}}});
  const Vector y = Vector::Zero(5);
  const auto init = test::plugins().find(PluginKind::initializer, "small_random").create_initializer(
      test::values_for(PluginKind::initializer, "small_random",
                       {{"scale", scale}, {"entry_variance", variance}}));
  RandomStream random(seed, "init");
  return init->initialize({*A, y}, width, random);
}
}  // namespace

TEST_CASE("small_random: shape n x k, entries of variance alpha^2 / k") {
  const Matrix U = draw(1e-3, "inverse_width", 20, 4);
  CHECK(U.rows() == 30);
  CHECK(U.cols() == 20);
  const double variance = U.squaredNorm() / double(U.size());
  CHECK(variance == doctest::Approx(1e-6 / 20).epsilon(0.15));
  const Matrix V = draw(1e-3, "inverse_dimension", 20, 4);
  CHECK(V.squaredNorm() / double(V.size()) == doctest::Approx(1e-6 / 30).epsilon(0.15));
  const Matrix W = draw(2.0, "one", 20, 4);
  CHECK(W.squaredNorm() / double(W.size()) == doctest::Approx(4.0).epsilon(0.15));
}

TEST_CASE("small_random: the scale only rescales the same draw; seeds differ") {
  const Matrix a = draw(1e-2, "inverse_width", 5, 7);
  const Matrix b = draw(1e-4, "inverse_width", 5, 7);
  CHECK((a - 100 * b).norm() <= 1e-15 * a.norm());
  CHECK((draw(1e-2, "inverse_width", 5, 8) - a).norm() > 0.1 * a.norm());
}
