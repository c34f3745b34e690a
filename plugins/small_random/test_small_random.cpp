#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace ncvx;

namespace {
FactorSet draw(double scale, const std::string& variance, Index width, std::uint64_t seed, bool symmetric = true) {
  const auto A = test::sample_operator("gaussian_sensing", MatrixShape::rectangular(30, 24), 1, {{"m", std::int64_t{5}}});
  const Vector y = Vector::Zero(5);
  return test::initialize("small_random", {*A, y}, {30, symmetric ? 30 : 24, width, symmetric}, seed,
                          {{"scale", scale}, {"entry_variance", variance}});
}
}  // namespace

TEST_CASE("small_random: shape n x k, entries of variance alpha^2 / k") {
  const Matrix U = draw(1e-3, "inverse_width", 20, 4).left();
  CHECK(U.rows() == 30);
  CHECK(U.cols() == 20);
  const double variance = U.squaredNorm() / double(U.size());
  CHECK(variance == doctest::Approx(1e-6 / 20).epsilon(0.15));
  const Matrix V = draw(1e-3, "inverse_dimension", 20, 4).left();
  CHECK(V.squaredNorm() / double(V.size()) == doctest::Approx(1e-6 / 30).epsilon(0.15));
  const Matrix W = draw(2.0, "one", 20, 4).left();
  CHECK(W.squaredNorm() / double(W.size()) == doctest::Approx(4.0).epsilon(0.15));
}

TEST_CASE("small_random: the scale only rescales the same draw, seeds differ") {
  const Matrix a = draw(1e-2, "inverse_width", 5, 7).left();
  const Matrix b = draw(1e-2 * 1e-2, "inverse_width", 5, 7).left();
  CHECK((a - 100 * b).norm() <= 1e-15 * a.norm());
  CHECK((draw(1e-2, "inverse_width", 5, 8).left() - a).norm() > 0.1 * a.norm());
}

TEST_CASE("small_random: X = U V^T draws U as for U U^T, then an independent V") {
  const FactorSet symmetric = draw(1e-2, "inverse_dimension", 6, 3);
  const FactorSet asymmetric = draw(1e-2, "inverse_dimension", 6, 3, false);
  REQUIRE(asymmetric.size() == 2);
  CHECK(asymmetric.left() == symmetric.left());  // the same stream, U first
  CHECK(asymmetric.right().rows() == 24);
  CHECK(asymmetric.right().squaredNorm() / 144.0 == doctest::Approx(1e-4 / 24).epsilon(0.3));
  CHECK((asymmetric.right().topRows(6) - asymmetric.left().topRows(6)).norm() > 1e-3);
}

TEST_CASE("small_random: an imbalanced start scales U by rho and V by 1/rho, the product unchanged") {
  const auto A = test::sample_operator("gaussian_sensing", MatrixShape::rectangular(30, 24), 1, {{"m", std::int64_t{5}}});
  const Vector y = Vector::Zero(5);
  auto start = [&](double rho) {
    return test::initialize("small_random", {*A, y}, {30, 24, 6, false}, 3,
                            {{"scale", 1e-2}, {"imbalance", rho}});
  };
  const FactorSet balanced = start(1.0), imbalanced = start(10.0);
  CHECK(balanced == draw(1e-2, "inverse_width", 6, 3, false));  // rho = 1: the balanced start's bits
  CHECK((imbalanced.left() - 10.0 * balanced.left()).norm() <= 1e-15 * imbalanced.left().norm());
  CHECK((imbalanced.right() - balanced.right() / 10.0).norm() <= 1e-15 * balanced.right().norm());
  CHECK((imbalanced.product() - balanced.product()).norm() <= 1e-12 * balanced.product().norm());
}
