#include "completion_kernels.hpp"

#include <algorithm>

#include "../common/lanes.hpp"

namespace ncvx::completion {

namespace {

using simd::double4;

constexpr Index kBlock = 256;  // observations per call of the loss

/// <a, b> over `groups` groups of four lanes.
template <int Groups>
NCVX_INLINE double dot(const double* a, const double* b, int groups) {
  if constexpr (Groups > 0) groups = Groups;
  double4 sum = simd::load(a) * simd::load(b);
  for (int g = 1; g < groups; ++g) sum = sum + simd::load(a + 4 * g) * simd::load(b + 4 * g);
  return simd::reduce(sum);
}

/// target += coefficient * source over `groups` groups of four lanes.
template <int Groups>
NCVX_INLINE void add_scaled(double* target, double coefficient, const double* source, int groups) {
  if constexpr (Groups > 0) groups = Groups;
  const double4 c = simd::broadcast(coefficient);
  for (int g = 0; g < groups; ++g) simd::store(target + 4 * g, simd::load(target + 4 * g) + c * simd::load(source + 4 * g));
}

template <int Groups, Factoring F>
NCVX_INLINE double pass(const TiledOmega& omega, Index first, Index last, const double* y, const PaddedRows& rows,
                        const Loss& loss) {
  const int groups = static_cast<int>(rows.stride / 4);
  const Index s = rows.stride;
  const double* L = rows.left;
  const double* R = rows.right;
  double* GL = rows.gradient_left;
  double* GR = rows.gradient_right;
  if (first >= last) return 0.0;
  // The tile holding observation `first`.
  const auto holds = [](Index o, const Tile& tile) { return o < tile.first; };
  Index tile = std::upper_bound(omega.tiles, omega.tiles + omega.tile_count + 1, first, holds) - omega.tiles - 1;
  Index tile_end = omega.tiles[tile + 1].first;
  double residual[kBlock], derivative[kBlock];
  std::int32_t row_of[kBlock], column_of[kBlock];
  double value = 0.0;
  for (Index start = first; start < last; start += kBlock) {
    const Index count = std::min(kBlock, last - start);
    for (Index b = 0; b < count; ++b) {
      const Index o = start + b;
      while (o >= tile_end) tile_end = omega.tiles[++tile + 1].first;
      const Index i = omega.tiles[tile].row_base + omega.offsets[o].row;
      const Index j = omega.tiles[tile].column_base + omega.offsets[o].column;
      row_of[b] = static_cast<std::int32_t>(i);
      column_of[b] = static_cast<std::int32_t>(j);
      const double w = i == j ? omega.diagonal_weight : omega.off_diagonal_weight;
      double entry;
      if constexpr (F == Factoring::symmetric_two_factors) {
        entry = i == j ? dot<Groups>(L + j * s, R + j * s, groups)
                       : 0.5 * (dot<Groups>(L + i * s, R + j * s, groups) + dot<Groups>(L + j * s, R + i * s, groups));
      } else {
        entry = dot<Groups>(L + i * s, R + j * s, groups);
      }
      residual[b] = w * entry - y[o];
    }
    value += loss.evaluate(Eigen::Map<const Vector>(residual, count), Eigen::Map<Vector>(derivative, count));
    if (!GL) continue;
    for (Index b = 0; b < count; ++b) {
      const Index i = row_of[b], j = column_of[b];
      const double coefficient =
          derivative[b] * (i == j ? omega.diagonal_weight : omega.off_diagonal_weight);
      if constexpr (F == Factoring::one_factor) {  // A*(d) U
        if (i == j) {
          add_scaled<Groups>(GL + j * s, coefficient, L + j * s, groups);
        } else {
          const double half = 0.5 * coefficient;
          add_scaled<Groups>(GL + i * s, half, L + j * s, groups);
          add_scaled<Groups>(GL + j * s, half, L + i * s, groups);
        }
      } else if constexpr (F == Factoring::two_factors) {  // A*(d) V and A*(d)^T U
        add_scaled<Groups>(GL + i * s, coefficient, R + j * s, groups);
        add_scaled<Groups>(GR + j * s, coefficient, L + i * s, groups);
      } else if (i == j) {  // symmetric A*(d): W V and W U
        add_scaled<Groups>(GL + j * s, coefficient, R + j * s, groups);
        add_scaled<Groups>(GR + j * s, coefficient, L + j * s, groups);
      } else {
        const double half = 0.5 * coefficient;
        add_scaled<Groups>(GL + i * s, half, R + j * s, groups);
        add_scaled<Groups>(GL + j * s, half, R + i * s, groups);
        add_scaled<Groups>(GR + i * s, half, L + j * s, groups);
        add_scaled<Groups>(GR + j * s, half, L + i * s, groups);
      }
    }
  }
  return value;
}

/// One copy per group count up to 8 (k <= 32, unrolled), then any.
template <Factoring F>
NCVX_INLINE double by_groups(const TiledOmega& omega, Index first, Index last, const double* y,
                             const PaddedRows& rows, const Loss& loss) {
  switch (rows.stride / 4) {
    case 1: return pass<1, F>(omega, first, last, y, rows, loss);
    case 2: return pass<2, F>(omega, first, last, y, rows, loss);
    case 3: return pass<3, F>(omega, first, last, y, rows, loss);
    case 4: return pass<4, F>(omega, first, last, y, rows, loss);
    case 5: return pass<5, F>(omega, first, last, y, rows, loss);
    case 6: return pass<6, F>(omega, first, last, y, rows, loss);
    case 7: return pass<7, F>(omega, first, last, y, rows, loss);
    case 8: return pass<8, F>(omega, first, last, y, rows, loss);
    default: return pass<0, F>(omega, first, last, y, rows, loss);
  }
}

NCVX_INLINE double any_factoring(const TiledOmega& omega, Index first, Index last, const double* y,
                                 Factoring factoring, const PaddedRows& rows, const Loss& loss) {
  switch (factoring) {
    case Factoring::one_factor: return by_groups<Factoring::one_factor>(omega, first, last, y, rows, loss);
    case Factoring::two_factors: return by_groups<Factoring::two_factors>(omega, first, last, y, rows, loss);
    default: return by_groups<Factoring::symmetric_two_factors>(omega, first, last, y, rows, loss);
  }
}

using Pass = double (*)(const TiledOmega&, Index, Index, const double*, Factoring, const PaddedRows&,
                        const Loss&);

__attribute__((target("avx2"), flatten)) double pass_avx2(const TiledOmega& omega, Index first, Index last,
                                                           const double* y, Factoring factoring,
                                                           const PaddedRows& rows, const Loss& loss) {
  return any_factoring(omega, first, last, y, factoring, rows, loss);
}
__attribute__((flatten)) double pass_default(const TiledOmega& omega, Index first, Index last, const double* y,
                                             Factoring factoring, const PaddedRows& rows, const Loss& loss) {
  return any_factoring(omega, first, last, y, factoring, rows, loss);
}

}  // namespace

double segment_pass(const TiledOmega& omega, Index first, Index last, const double* observations,
                    Factoring factoring, const PaddedRows& rows, const Loss& loss) {
  static const Pass chosen = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? &pass_avx2 : &pass_default;
  }();
  return chosen(omega, first, last, observations, factoring, rows, loss);
}

}  // namespace ncvx::completion
