#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("orthogonal: U_0 = scale Q with orthonormal columns (rows when k > n), seeded") {
  const auto A = test::sample_operator("gaussian_sensing", MatrixShape::rectangular(10, 7), 1, {{"m", std::int64_t{5}}});
  const Vector y = Vector::Zero(5);
  const FactorSet narrow = test::initialize("orthogonal", {*A, y}, {10, 7, 4, false}, 3, {{"scale", 0.01}});
  CHECK((narrow.left().transpose() * narrow.left() - 1e-4 * Matrix::Identity(4, 4)).norm() < 1e-16);
  CHECK((narrow.right().transpose() * narrow.right() - 1e-4 * Matrix::Identity(4, 4)).norm() < 1e-16);
  const FactorSet wide = test::initialize("orthogonal", {*A, y}, {10, 10, 15, true}, 3, {{"scale", 1.0}});
  CHECK((wide.left() * wide.left().transpose() - Matrix::Identity(10, 10)).norm() < 1e-12);
  const FactorSet other = test::initialize("orthogonal", {*A, y}, {10, 7, 4, false}, 4, {{"scale", 0.01}});
  CHECK((other.left() - narrow.left()).norm() > 1e-3);
  CHECK(test::conforms(PluginKind::initializer, "orthogonal"));
}
