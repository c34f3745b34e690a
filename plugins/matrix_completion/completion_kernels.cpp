#include "completion_kernels.hpp"

#include <algorithm>
#include <utility>

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

/// Four dot products' lanes reduced at once, each as (l0 + l1) + (l2 + l3).
NCVX_INLINE double4 reduce_four(double4 a0, double4 a1, double4 a2, double4 a3) {
  const double4 h01 = __builtin_shufflevector(a0, a1, 0, 4, 2, 6) + __builtin_shufflevector(a0, a1, 1, 5, 3, 7);
  const double4 h23 = __builtin_shufflevector(a2, a3, 0, 4, 2, 6) + __builtin_shufflevector(a2, a3, 1, 5, 3, 7);
  return __builtin_shufflevector(h01, h23, 0, 1, 4, 5) + __builtin_shufflevector(h01, h23, 2, 3, 6, 7);
}

/// The positions of a block's observations.
struct Block {
  std::int32_t row[kBlock];
  std::int32_t column[kBlock];
  Index count;
};

/// residual_b = w_b <L_i, R_j> - y_b for U U^T and U V^T, the column's row
/// R_j held in registers along a column, four observations at a time.
template <int Groups>
NCVX_INLINE void residuals(const Block& block, const double* L, const double* R, Index s, const double* y,
                           double diagonal_weight, double off_diagonal_weight, double* residual) {
  double4 column[Groups] = {};  // loaded at the first observation
  Index loaded = -1;
  const auto lanes_of_dot = [&](Index b) {
    const Index j = block.column[b];
    if (j != loaded) {
      for (int g = 0; g < Groups; ++g) column[g] = simd::load(R + j * s + 4 * g);
      loaded = j;
    }
    const double* row = L + Index{block.row[b]} * s;
    double4 sum = simd::load(row) * column[0];
    for (int g = 1; g < Groups; ++g) sum = sum + simd::load(row + 4 * g) * column[g];
    return sum;
  };
  const auto weight = [&](Index b) {
    return block.row[b] == block.column[b] ? diagonal_weight : off_diagonal_weight;
  };
  Index b = 0;
  for (; b + 4 <= block.count; b += 4) {
    const double4 a0 = lanes_of_dot(b), a1 = lanes_of_dot(b + 1), a2 = lanes_of_dot(b + 2), a3 = lanes_of_dot(b + 3);
    const double4 w{weight(b), weight(b + 1), weight(b + 2), weight(b + 3)};
    simd::store(residual + b, w * reduce_four(a0, a1, a2, a3) - simd::load(y + b));
  }
  for (; b < block.count; ++b) residual[b] = weight(b) * simd::reduce(lanes_of_dot(b)) - y[b];
}

/// The adjoint products of a block for U U^T (G_L = A*(d) U) and U V^T
/// (G_L = A*(d) V, G_R = A*(d)^T U). The column's factor row is held in
/// registers, and the column's own accumulator row (G_L row j for U U^T,
/// G_R row j for U V^T) is summed in registers, alternating between two
/// sums (one chain would serialize a column's observations), and added to
/// memory as their sum when the column or the block ends.
template <int Groups, Factoring F>
NCVX_INLINE void adjoint(const Block& block, const double* derivative, const double* L, const double* R, Index s,
                         double* GL, double* GR, double diagonal_weight, double off_diagonal_weight) {
  double* const column_rows = F == Factoring::one_factor ? GL : GR;
  double4 column[Groups] = {}, sums[Groups] = {}, other[Groups] = {};  // the two sums swap roles after each observation
  Index current = -1;
  const auto flush = [&] {
    if (current < 0) return;
    double* target = column_rows + current * s;
    for (int g = 0; g < Groups; ++g) simd::store(target + 4 * g, simd::load(target + 4 * g) + (sums[g] + other[g]));
  };
  const auto swap_sums = [&] {
    for (int g = 0; g < Groups; ++g) std::swap(sums[g], other[g]);
  };
  for (Index b = 0; b < block.count; ++b) {
    const Index i = block.row[b], j = block.column[b];
    if (j != current) {
      flush();
      current = j;
      for (int g = 0; g < Groups; ++g) {
        column[g] = simd::load(R + j * s + 4 * g);
        sums[g] = other[g] = simd::broadcast(0.0);
      }
    }
    double coefficient = derivative[b] * (i == j ? diagonal_weight : off_diagonal_weight);
    if constexpr (F == Factoring::one_factor) {
      if (i == j) {
        const double4 c = simd::broadcast(coefficient);
        for (int g = 0; g < Groups; ++g) sums[g] = sums[g] + c * column[g];
        swap_sums();
        continue;
      }
      coefficient = 0.5 * coefficient;
    }
    const double4 c = simd::broadcast(coefficient);
    double* target = GL + i * s;
    const double* row = L + i * s;
    for (int g = 0; g < Groups; ++g) {
      simd::store(target + 4 * g, simd::load(target + 4 * g) + c * column[g]);
      sums[g] = sums[g] + c * simd::load(row + 4 * g);
    }
    swap_sums();
  }
  flush();
}

template <int Groups, Factoring F>
NCVX_INLINE double pass(const TiledOmega& omega, Index first, Index last, const double* y, const PaddedRows& rows,
                        const Loss& loss) {
  constexpr bool unrolled = Groups > 0 && F != Factoring::symmetric_two_factors;
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
  Block block;
  double residual[kBlock], derivative[kBlock];
  double value = 0.0;
  for (Index start = first; start < last; start += kBlock) {
    block.count = std::min(kBlock, last - start);
    for (Index b = 0; b < block.count;) {  // tile by tile
      while (start + b >= tile_end) tile_end = omega.tiles[++tile + 1].first;
      const Index end = std::min(block.count, tile_end - start);
      const std::int32_t row_base = omega.tiles[tile].row_base, column_base = omega.tiles[tile].column_base;
      const TileOffsets* offsets = omega.offsets + start;
      for (; b < end; ++b) {
        block.row[b] = row_base + offsets[b].row;
        block.column[b] = column_base + offsets[b].column;
      }
    }
    if constexpr (unrolled) {
      residuals<Groups>(block, L, R, s, y + start, omega.diagonal_weight, omega.off_diagonal_weight, residual);
    } else {
      for (Index b = 0; b < block.count; ++b) {
        const Index i = block.row[b], j = block.column[b];
        const double w = i == j ? omega.diagonal_weight : omega.off_diagonal_weight;
        double entry;
        if constexpr (F == Factoring::symmetric_two_factors) {
          entry = i == j ? dot<Groups>(L + j * s, R + j * s, groups)
                         : 0.5 * (dot<Groups>(L + i * s, R + j * s, groups) + dot<Groups>(L + j * s, R + i * s, groups));
        } else {
          entry = dot<Groups>(L + i * s, R + j * s, groups);
        }
        residual[b] = w * entry - y[start + b];
      }
    }
    value += loss.evaluate_observed(Eigen::Map<const Vector>(residual, block.count),
                                    Eigen::Map<const Vector>(y + start, block.count),
                                    Eigen::Map<Vector>(derivative, block.count));
    if (!GL) continue;
    if constexpr (unrolled) {
      adjoint<Groups, F>(block, derivative, L, R, s, GL, GR, omega.diagonal_weight, omega.off_diagonal_weight);
      continue;
    }
    for (Index b = 0; b < block.count; ++b) {
      const Index i = block.row[b], j = block.column[b];
      const double coefficient = derivative[b] * (i == j ? omega.diagonal_weight : omega.off_diagonal_weight);
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

using Pass = double (*)(const TiledOmega&, Index, Index, const double*, const PaddedRows&, const Loss&);

// One function per instruction set, group count and factoring, each with its
// kernel inlined (their registers are allocated one kernel at a time).
template <int Groups, Factoring F>
__attribute__((target("avx2"), flatten)) double pass_avx2(const TiledOmega& omega, Index first, Index last,
                                                           const double* y, const PaddedRows& rows, const Loss& loss) {
  return pass<Groups, F>(omega, first, last, y, rows, loss);
}
template <int Groups, Factoring F>
__attribute__((flatten)) double pass_default(const TiledOmega& omega, Index first, Index last, const double* y,
                                             const PaddedRows& rows, const Loss& loss) {
  return pass<Groups, F>(omega, first, last, y, rows, loss);
}

template <bool Avx2, int Groups, Factoring F>
Pass instance() {
  return Avx2 ? &pass_avx2<Groups, F> : &pass_default<Groups, F>;
}

/// Unrolled copies for k <= 32 (up to 8 groups of four lanes), then one for any width.
template <bool Avx2, Factoring F>
Pass for_groups(Index groups) {
  switch (groups) {
    case 1: return instance<Avx2, 1, F>();
    case 2: return instance<Avx2, 2, F>();
    case 3: return instance<Avx2, 3, F>();
    case 4: return instance<Avx2, 4, F>();
    case 5: return instance<Avx2, 5, F>();
    case 6: return instance<Avx2, 6, F>();
    case 7: return instance<Avx2, 7, F>();
    case 8: return instance<Avx2, 8, F>();
    default: return instance<Avx2, 0, F>();
  }
}

template <bool Avx2>
Pass choose(Factoring factoring, Index groups) {
  switch (factoring) {
    case Factoring::one_factor: return for_groups<Avx2, Factoring::one_factor>(groups);
    case Factoring::two_factors: return for_groups<Avx2, Factoring::two_factors>(groups);
    default: return for_groups<Avx2, Factoring::symmetric_two_factors>(groups);
  }
}

}  // namespace

double segment_pass(const TiledOmega& omega, Index first, Index last, const double* observations,
                    Factoring factoring, const PaddedRows& rows, const Loss& loss) {
  static const bool avx2 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  const Pass pass = avx2 ? choose<true>(factoring, rows.stride / 4) : choose<false>(factoring, rows.stride / 4);
  return pass(omega, first, last, observations, rows, loss);
}

}  // namespace ncvx::completion
