#pragma once
// Common numeric types. Everything in ncvx is double precision and
// column-major, as Eigen's defaults.

#include <Eigen/Dense>

namespace ncvx {

using Index = Eigen::Index;
using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;
/// A view of a contiguous vector or of a segment of one (no copy).
using VectorView = Eigen::Ref<Vector>;
using ConstVectorView = Eigen::Ref<const Vector>;

}  // namespace ncvx
