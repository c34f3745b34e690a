#pragma once
// Panels of rows against several vectors, for machines whose registers are
// 512 bits wide (AVX-512): the block-by-block passes of row_blocks.hpp read
// every vector and every accumulator once per block of four rows, and with
// several long vectors these no longer fit in L2 beside the rows. A panel of
// kPanelRows rows is instead worked through in tiles (kForwardTile entries
// for the forward, kTile for the adjoint):
//
//   forward: for each tile, the panel's rows against every vector, the
//            vectors' tile staying in L1 while the rows pass; each dot
//            product's four lanes are carried from tile to tile;
//   adjoint: for each tile, the accumulators' tile stays in L1 while the
//            panel's rows (still in cache) are added to it, row after row.
//
// One 512-bit register holds the four lanes of two vectors (the row's four
// entries repeated), so a block of four rows by eight vectors keeps sixteen
// registers of sums. The adjoint runs eight entries at a time (each entry's
// sum is its own). Every dot product keeps its four lanes over p = 0, 4,
// 8, ..., then (l0 + l1) + (l2 + l3), then the tail in order, and every
// accumulator entry adds its rows in increasing order, four rows per
// addition chain: the numbers of row_blocks.hpp's dots and accumulate, bit
// for bit. Used by gaussian_sensing (K trajectories in lockstep) and
// rank_one (the k columns of a factor). Compile with -ffp-contract=off, inside
// functions built for AVX-512.
//
// Forward tiles of 64 entries against 128 (the adjoint's), side by side on
// two cores: rank_one at n = 4 000, k = 10, 100 against 115 ms; K = 8 lockstep
// at (200, 10 000) 106 against 110 ms per step; 32 entries were no better.

#include <algorithm>
#include <type_traits>
#include <utility>
#include <vector>

#include <ncvx/types.hpp>

#include "row_blocks.hpp"

namespace ncvx::simd {
namespace {

constexpr Index kPanelRows = 8;  // rows per panel (a multiple of four)
constexpr Index kForwardTile = 64;  // entries per tile of the forward (a multiple of 4)
constexpr Index kTile = 128;        // entries per tile of the adjoint (a multiple of 8)
constexpr int kPairs = 4;        // pairs of vectors per register block of the forward
constexpr int kTargets = 4;      // accumulators per register block of the adjoint

/// Four entries of a row, twice.
template <class T>
NCVX_INLINE double8 four_twice(const T* p) {
  const double4 s = load(p);
  return __builtin_shufflevector(s, s, 0, 1, 2, 3, 0, 1, 2, 3);
}

/// lanes[r][g] += the four-lane products of rows r < R with the vector pairs
/// g < G (interleaved by fours: pairs[g][c] holds entries 4c..4c+3 of both)
/// over the chunks [c0, c1) of four entries.
template <int R, int G, class T>
NCVX_INLINE void panel_dots(const T* const* rows, const double* pairs, Index pair_stride, double* lanes,
                            Index lane_stride, Index c0, Index c1) {
  double8 sum[R][G];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int g = 0; g < G; ++g) sum[r][g] = load_lanes<8>(lanes + r * lane_stride + 8 * g);
  for (Index c = c0; c < c1; ++c) {
    double8 x[G];
#pragma GCC unroll 8
    for (int g = 0; g < G; ++g) x[g] = load_lanes<8>(pairs + g * pair_stride + 8 * c);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const double8 s = four_twice(rows[r] + 4 * c);
#pragma GCC unroll 8
      for (int g = 0; g < G; ++g) sum[r][g] = sum[r][g] + s * x[g];
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int g = 0; g < G; ++g) store(lanes + r * lane_stride + 8 * g, sum[r][g]);
}

/// block(std::integral_constant<int, B>) for the blocks of kMost over
/// `count` items, then block(std::integral_constant<int, rest>) for the rest
/// (each block's size a compile-time constant); block gets the first item.
template <int kMost, class Block>
NCVX_INLINE void in_blocks(Index count, Block&& block) {
  static_assert(kMost == 4, "the rest is dispatched for blocks of four");
  Index first = 0;
  for (; first + kMost <= count; first += kMost) block(std::integral_constant<int, kMost>{}, first);
  const Index rest = count - first;
  if (rest == 1) block(std::integral_constant<int, 1>{}, first);
  if (rest == 2) block(std::integral_constant<int, 2>{}, first);
  if (rest == 3) block(std::integral_constant<int, 3>{}, first);
}

/// A panel's rows: the first, how many, and how many of them are in blocks
/// of four (the rest, at the end of the rows, go one by one).
struct Panel {
  Index first = 0, rows = 0, blocked = 0;
};

/// The vectors x[0 .. K) of length N, two by two, interleaved by fours (a
/// missing second one zero), as panel_dots reads them.
class VectorPairs {
 public:
  VectorPairs(const double* const* x, std::size_t K, Index N, std::vector<double>& storage)
      : count_((static_cast<Index>(K) + 1) / 2), chunks_(N / 4), stride_(8 * chunks_) {
    storage.assign(static_cast<std::size_t>(count_ * stride_), 0.0);
    for (std::size_t j = 0; j < K; ++j) {
      double* pair = storage.data() + static_cast<Index>(j / 2) * stride_ + 4 * static_cast<Index>(j % 2);
      for (Index c = 0; c < chunks_; ++c)
        for (int l = 0; l < 4; ++l) pair[8 * c + l] = x[j][4 * c + l];
    }
    data_ = storage.data();
  }
  Index count() const { return count_; }
  Index chunks() const { return chunks_; }
  /// Doubles per row of a panel's lanes: vector j's four lanes at 4 j.
  Index lane_stride() const { return 8 * count_; }

  /// lanes (panel rows x lane_stride()) += the four-lane products of the
  /// panel's rows (row(r) for r < panel.rows) with every vector, tile by tile.
  template <class RowOf>
  NCVX_INLINE void forward(const Panel& panel, RowOf row, double* lanes) const {
    using Row = decltype(row(0));
    const Index stride = lane_stride();
    for (Index c0 = 0; c0 < chunks_; c0 += kForwardTile / 4) {
      const Index c1 = std::min(chunks_, c0 + kForwardTile / 4);
      Index r = 0;
      for (; r < panel.blocked; r += 4) {
        const Row block[4] = {row(r), row(r + 1), row(r + 2), row(r + 3)};
        all_pairs<4>(block, lanes + r * stride, c0, c1);
      }
      for (; r < panel.rows; ++r) {
        const Row single[1] = {row(r)};
        all_pairs<1>(single, lanes + r * stride, c0, c1);
      }
    }
  }

 private:
  template <int R, class T>
  NCVX_INLINE void all_pairs(const T* const* rows, double* lanes, Index c0, Index c1) const {
    in_blocks<kPairs>(count_, [&](auto size, Index g) {
      panel_dots<R, size()>(rows, data_ + g * stride_, stride_, lanes + 8 * g, lane_stride(), c0, c1);
    });
  }

  Index count_, chunks_, stride_;
  const double* data_ = nullptr;
};

/// Dot product j of a panel row whose lanes are at `lanes`: (l0 + l1) +
/// (l2 + l3), then the entries from 4 chunks on, in order.
template <class T>
NCVX_INLINE double lane_total(const double* lanes, std::size_t j, const T* row, const double* x, Index from,
                              Index N) {
  const double* l = lanes + 4 * static_cast<Index>(j);
  double sum = (l[0] + l[1]) + (l[2] + l[3]);
  for (Index q = from; q < N; ++q) sum = sum + static_cast<double>(row[q]) * x[q];
  return sum;
}

/// w[t] += sum_r d[t][r] row(r) for the count accumulators w, tile by tile:
/// blocks of four rows (one addition chain per entry and block), then the
/// rest one by one; coefficients_of(r) gives the d[t] pointers for the
/// panel's row r (d[t][0 .. 3] its block's four rows).
template <class RowOf, class CoefficientsOf>
NCVX_INLINE void panel_adjoint(const Panel& panel, RowOf row, CoefficientsOf coefficients_of,
                               double* const* w, std::size_t count, Index N,
                               std::vector<double*>& tile_targets) {
  using Row = decltype(row(0));
  tile_targets.resize(count);
  for (Index p0 = 0; p0 < N; p0 += kTile) {
    const Index length = std::min(N, p0 + kTile) - p0;
    for (std::size_t t = 0; t < count; ++t) tile_targets[t] = w[t] + p0;
    const auto all = [&](const auto* rows, Index r, auto height) {
      in_blocks<kTargets>(static_cast<Index>(count), [&](auto size, Index t) {
        accumulate<height(), size(), 8>(rows, coefficients_of(r) + t, tile_targets.data() + t, length);
      });
    };
    Index r = 0;
    for (; r < panel.blocked; r += 4) {
      const Row block[4] = {row(r) + p0, row(r + 1) + p0, row(r + 2) + p0, row(r + 3) + p0};
      all(block, r, std::integral_constant<int, 4>{});
    }
    for (; r < panel.rows; ++r) {
      const Row single[1] = {row(r) + p0};
      all(single, r, std::integral_constant<int, 1>{});
    }
  }
}

}  // namespace
}  // namespace ncvx::simd
