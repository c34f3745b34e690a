#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("scaled_identity: U_0 = scale I (and V_0), the same for every seed") {
  const auto A = test::sample_operator("gaussian_sensing", MatrixShape::rectangular(6, 4), 1, {{"m", std::int64_t{5}}});
  const Vector y = Vector::Zero(5);
  const FactorSet U = test::initialize("scaled_identity", {*A, y}, {6, 6, 8, true}, 1, {{"scale", 0.1}});
  CHECK(U.left() == 0.1 * Matrix::Identity(6, 8));
  const FactorSet UV = test::initialize("scaled_identity", {*A, y}, {6, 4, 3, false}, 2, {{"scale", 0.1}});
  CHECK(UV.left() == 0.1 * Matrix::Identity(6, 3));
  CHECK(UV.right() == 0.1 * Matrix::Identity(4, 3));
  CHECK(test::conforms(PluginKind::initializer, "scaled_identity"));
}
