#pragma once
// Blocks of rows against a few vectors, with every sum in a fixed order: the
// building blocks of the fused passes over a row-major operator (Gaussian
// sensing's m x N matrix, rank-one measurements' m x n matrix).
//
//   dots<R, J>        out[r][j] = <rows[r], x[j]>  (four lanes, then (l0 + l1) + (l2 + l3), then the tail)
//   accumulate<R, J>  w[j] += sum_r d[j][r] rows[r], row after row (4 or 8 entries at a time)
//
// A vector's numbers do not depend on how many vectors share the block (J)
// nor on their position among them. Compile the sources that use them with
// -ffp-contract=off.

#include <ncvx/types.hpp>

#include "lanes.hpp"

namespace ncvx::simd {
namespace {

/// Dot products of R rows with J vectors: out[r][j] = <rows[r], x[j]>, each
/// with four lanes (lane l sums the p = l mod 4 in increasing p), then
/// (l0 + l1) + (l2 + l3), then the tail in order. (Eight lanes, two
/// accumulators per product, measured slower: more registers, fewer rows
/// sharing each vector load.)
template <int R, int J, class T>
NCVX_INLINE void dots(const T* const* rows, const double* const* x, Index N, double (*out)[2]) {
  double4 acc[R][J];
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < J; ++j) acc[r][j] = broadcast(0.0);
  Index p = 0;
  for (; p + 4 <= N; p += 4) {
    double4 xs[J];
    for (int j = 0; j < J; ++j) xs[j] = load(x[j] + p);
    for (int r = 0; r < R; ++r) {
      const double4 s = load(rows[r] + p);
      for (int j = 0; j < J; ++j) acc[r][j] = acc[r][j] + s * xs[j];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < J; ++j) {
      double sum = reduce(acc[r][j]);
      for (Index q = p; q < N; ++q) sum = sum + static_cast<double>(rows[r][q]) * x[j][q];
      out[r][j] = sum;
    }
}

/// w[j] += sum_r d[j][r] rows[r], row after row, for J accumulators at once
/// (the rows' loads are shared), W entries at a time (4, or 8 where the
/// registers are 512 bits wide: each entry's sum is its own, so W does not
/// change the numbers). d is anything indexed d[j][r].
template <int R, int J, int W = 4, class T, class Coefficients>
NCVX_INLINE void accumulate(const T* const* rows, Coefficients d, double* const* w, Index N) {
  using Vector = typename Lanes<W>::Doubles;
  Vector coefficient[J][R];
#pragma GCC unroll 8
  for (int j = 0; j < J; ++j)
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) coefficient[j][r] = broadcast_lanes<W>(d[j][r]);
  Index p = 0;
  for (; p + W <= N; p += W) {
    Vector s[R];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) s[r] = load_lanes<W>(rows[r] + p);
#pragma GCC unroll 8
    for (int j = 0; j < J; ++j) {
      Vector sum = load_lanes<W>(w[j] + p);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) sum = sum + coefficient[j][r] * s[r];
      store(w[j] + p, sum);
    }
  }
  for (; p < N; ++p)
    for (int j = 0; j < J; ++j) {
      double sum = w[j][p];
      for (int r = 0; r < R; ++r) sum = sum + d[j][r] * static_cast<double>(rows[r][p]);
      w[j][p] = sum;
    }
}

}  // namespace
}  // namespace ncvx::simd
