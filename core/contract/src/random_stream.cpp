#include "ncvx/random_stream.hpp"

#include <cmath>
#include <numbers>

namespace ncvx {

double RandomStream::normal() {
  if (has_cached_) {
    has_cached_ = false;
    return cached_;
  }
  // Box-Muller: two independent N(0,1) from two uniforms.
  const double radius = std::sqrt(-2.0 * std::log(uniform_positive()));
  const double angle = 2.0 * std::numbers::pi * uniform();
  cached_ = radius * std::sin(angle);
  has_cached_ = true;
  return radius * std::cos(angle);
}

void RandomStream::fill_normal(Matrix& out, double variance) {
  const double deviation = std::sqrt(variance);
  for (Index j = 0; j < out.cols(); ++j)
    for (Index i = 0; i < out.rows(); ++i) out(i, j) = deviation * normal();
}

void RandomStream::fill_normal(Vector& out, double variance) {
  const double deviation = std::sqrt(variance);
  for (Index i = 0; i < out.size(); ++i) out(i) = deviation * normal();
}

}  // namespace ncvx
