#include "sensing_kernels.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "../common/row_blocks.hpp"

namespace ncvx::kernels {

namespace {

constexpr Index kRows = 4;  // rows per block (2 and 8 measured slower)

using ncvx::simd::accumulate;
using ncvx::simd::dots;
using ncvx::simd::double4;
using ncvx::simd::double8;
using ncvx::simd::load;
using ncvx::simd::load8;
using ncvx::simd::store;

/// One block of R rows for every vector: dot products (two vectors at a
/// time), residuals and loss, then the adjoint accumulation while the rows
/// are still in cache (two vectors at a time).
template <int R, class T>
NCVX_INLINE void block(const T* const* rows, Index N, Index first_row, const double* y,
                       const std::vector<const double*>& x, const std::vector<double*>& w, const BlockLoss& loss,
                       std::vector<double>& scratch) {
  const std::size_t K = x.size();
  double (*derivative)[kRows] = reinterpret_cast<double (*)[kRows]>(scratch.data());  // K x kRows
  double products[kRows][2];
  double residual[kRows];
  auto finish = [&](std::size_t first, int count) {
    for (int t = 0; t < count; ++t) {
      for (int r = 0; r < R; ++r) residual[r] = products[r][t] - y[r];
      loss(first + static_cast<std::size_t>(t), first_row, residual, derivative[first + static_cast<std::size_t>(t)],
           R);
    }
  };
  std::size_t j = 0;
  for (; j + 2 <= K; j += 2) {
    dots<R, 2>(rows, &x[j], N, products);
    finish(j, 2);
  }
  if (j < K) {
    dots<R, 1>(rows, &x[j], N, products);
    finish(j, 1);
  }
  std::size_t wanted[2];
  int pending = 0;
  for (std::size_t k = 0; k < K; ++k) {
    if (!w[k]) continue;
    wanted[pending++] = k;
    if (pending == 2) {
      double d2[2][kRows];
      for (Index r = 0; r < kRows; ++r) {
        d2[0][r] = derivative[wanted[0]][r];
        d2[1][r] = derivative[wanted[1]][r];
      }
      double* const targets[2] = {w[wanted[0]], w[wanted[1]]};
      accumulate<R, 2>(rows, d2, targets, N);
      pending = 0;
    }
  }
  if (pending == 1) {
    double* const targets[1] = {w[wanted[0]]};
    accumulate<R, 1>(rows, &derivative[wanted[0]], targets, N);
  }
}

// ---------------------------------------------------------------------------
// Panels, for three or more vectors where the registers are 512 bits wide.
// The block-by-block pass reads every vector and every accumulator once per
// block of four rows; with K vectors (K x 160 KB each at n = 200) they no
// longer fit in L2 beside the rows and come from L3 every time. A panel of
// kPanelRows rows is instead worked through in tiles of kTile entries:
//
//   forward: for each tile, the panel's rows against every vector, the tile
//            of the vectors staying in L1 while the rows pass; each dot
//            product's four lanes are carried from tile to tile;
//   loss:    block by block of four rows, as in the block-by-block pass;
//   adjoint: for each tile, the accumulators' tile stays in L1 while the
//            panel's rows (still in cache: L2 and L3) are added to it, row
//            after row.
//
// One 512-bit register holds the four lanes of two vectors (the row's four
// entries repeated), so a block of four rows by eight vectors keeps sixteen
// registers of sums. The adjoint runs eight entries at a time (each entry's
// sum is its own). Every dot product keeps its four lanes over p = 0, 4, 8,
// ... and every accumulator entry adds its rows in increasing order: the
// numbers are those of the block-by-block pass, bit for bit.
//
// Measured side by side at (200, 10 000), K = 8, one pass on two cores:
// panels of 8 rows and tiles of 128 entries took 93-99 ms against 136-150 ms
// for the block-by-block pass; panels of 16 and 32 rows, tiles of 256-2048
// entries, software prefetching, the forward of the next panel interleaved
// with the adjoint of the current one, and 256-bit registers for the forward
// were no faster or slower. With 256-bit registers only (AVX2), panels were
// slower than blocks (137 against 128 ms), so that copy keeps blocks.

constexpr Index kPanelRows = 8;        // rows per panel (a multiple of kRows)
constexpr Index kTile = 128;           // entries per tile (a multiple of 8)
constexpr std::size_t kPanelFrom = 3;  // vectors from which panels pay (equal at 1 and 2)
constexpr int kPairs = 4;              // pairs of vectors per register block of the forward
constexpr int kTargets = 4;            // accumulators per register block of the adjoint

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
    for (int g = 0; g < G; ++g) sum[r][g] = load8(lanes + r * lane_stride + 8 * g);
  for (Index c = c0; c < c1; ++c) {
    double8 x[G];
#pragma GCC unroll 8
    for (int g = 0; g < G; ++g) x[g] = load8(pairs + g * pair_stride + 8 * c);
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

/// panel_dots over all pair_count pairs, kPairs at a time, then the rest.
template <int R, class T>
NCVX_INLINE void dots_all_pairs(const T* const* rows, const double* pairs, Index pair_count,
                                Index pair_stride, double* lanes, Index lane_stride, Index c0, Index c1) {
  in_blocks<kPairs>(pair_count, [&](auto size, Index g) {
    panel_dots<R, size()>(rows, pairs + g * pair_stride, pair_stride, lanes + 8 * g, lane_stride, c0, c1);
  });
}

/// accumulate (eight entries at a time) over all count accumulators,
/// kTargets at a time, then the rest; rows and w point at the tile's first
/// entry.
template <int R, class T>
NCVX_INLINE void accumulate_all(const T* const* rows, const double* const* d, double* const* w,
                                std::size_t count, Index length) {
  in_blocks<kTargets>(static_cast<Index>(count),
                      [&](auto size, Index j) { accumulate<R, size(), 8>(rows, d + j, w + j, length); });
}

/// A panel's rows: the first, how many, and how many of them are in blocks
/// of four (the rest, at the end of the rows, go one by one).
struct Panel {
  Index first = 0, rows = 0, blocked = 0;
};

/// The buffers of a panel pass, kept per thread between passes.
struct PanelBuffers {
  std::vector<double> pairs, lanes, products, derivatives;
};

template <class T>
NCVX_INLINE void panel_pass(const T* S, Index m, Index N, const double* y,
                            const std::vector<const double*>& x, const std::vector<double*>& w,
                            const BlockLoss& loss) {
  const std::size_t K = x.size();
  const Index pair_count = (static_cast<Index>(K) + 1) / 2;
  const Index chunks = N / 4, vector_end = 4 * chunks;
  const Index pair_stride = 8 * chunks, lane_stride = 8 * pair_count;
  thread_local PanelBuffers buffers;
  // The vectors two by two, interleaved by fours (a missing second one zero).
  buffers.pairs.assign(static_cast<std::size_t>(pair_count * pair_stride), 0.0);
  for (std::size_t j = 0; j < K; ++j) {
    double* pair =
        buffers.pairs.data() + static_cast<Index>(j / 2) * pair_stride + 4 * static_cast<Index>(j % 2);
    for (Index c = 0; c < chunks; ++c)
      for (int l = 0; l < 4; ++l) pair[8 * c + l] = x[j][4 * c + l];
  }
  buffers.lanes.assign(static_cast<std::size_t>(kPanelRows * lane_stride), 0.0);
  buffers.products.resize(static_cast<std::size_t>(kPanelRows) * K);
  buffers.derivatives.resize(static_cast<std::size_t>(kPanelRows) * K);
  std::vector<double*> targets;
  std::vector<std::size_t> wanted;
  for (std::size_t j = 0; j < K; ++j)
    if (w[j]) {
      targets.push_back(w[j]);
      wanted.push_back(j);
    }
  std::vector<const double*> coefficients(wanted.size());
  double* const lanes = buffers.lanes.data();
  auto row = [&](const Panel& panel, Index r) { return S + (panel.first + r) * N; };
  auto coefficients_of = [&](Index r) {
    for (std::size_t t = 0; t < wanted.size(); ++t)
      coefficients[t] = buffers.derivatives.data() + wanted[t] * kPanelRows + r;
    return coefficients.data();
  };

  // The forward on the chunks [c0, c1).
  auto forward_tile = [&](const Panel& panel, Index c0, Index c1) {
    Index r = 0;
    for (; r < panel.blocked; r += kRows) {
      const T* block[kRows] = {row(panel, r), row(panel, r + 1), row(panel, r + 2), row(panel, r + 3)};
      dots_all_pairs<kRows>(block, buffers.pairs.data(), pair_count, pair_stride, lanes + r * lane_stride,
                            lane_stride, c0, c1);
    }
    for (; r < panel.rows; ++r) {
      const T* single[1] = {row(panel, r)};
      dots_all_pairs<1>(single, buffers.pairs.data(), pair_count, pair_stride, lanes + r * lane_stride,
                        lane_stride, c0, c1);
    }
  };
  // (l0 + l1) + (l2 + l3), then the tail; the residuals and the loss block
  // by block; the lanes cleared for the next panel.
  auto finish = [&](const Panel& panel) {
    for (Index r = 0; r < panel.rows; ++r)
      for (std::size_t j = 0; j < K; ++j) {
        const double* l =
            lanes + r * lane_stride + 8 * static_cast<Index>(j / 2) + 4 * static_cast<Index>(j % 2);
        double sum = (l[0] + l[1]) + (l[2] + l[3]);
        for (Index q = vector_end; q < N; ++q) sum = sum + static_cast<double>(row(panel, r)[q]) * x[j][q];
        buffers.products[j * kPanelRows + static_cast<std::size_t>(r)] = sum;
      }
    std::fill(buffers.lanes.begin(), buffers.lanes.end(), 0.0);
    for (Index r = 0; r < panel.rows;) {
      const Index count = r < panel.blocked ? kRows : 1;
      double residual[kRows];
      for (std::size_t j = 0; j < K; ++j) {
        const double* products = buffers.products.data() + j * kPanelRows + r;
        for (Index t = 0; t < count; ++t) residual[t] = products[t] - y[panel.first + r + t];
        loss(j, panel.first + r, residual, buffers.derivatives.data() + j * kPanelRows + r, count);
      }
      r += count;
    }
  };
  // The adjoint on the entries [p0, p1).
  std::vector<double*> tile_targets(targets.size());
  auto adjoint_tile = [&](const Panel& panel, Index p0, Index p1) {
    for (std::size_t t = 0; t < targets.size(); ++t) tile_targets[t] = targets[t] + p0;
    Index r = 0;
    for (; r < panel.blocked; r += kRows) {
      const T* block[kRows] = {row(panel, r) + p0, row(panel, r + 1) + p0, row(panel, r + 2) + p0,
                               row(panel, r + 3) + p0};
      accumulate_all<kRows>(block, coefficients_of(r), tile_targets.data(), wanted.size(), p1 - p0);
    }
    for (; r < panel.rows; ++r) {
      const T* single[1] = {row(panel, r) + p0};
      accumulate_all<1>(single, coefficients_of(r), tile_targets.data(), wanted.size(), p1 - p0);
    }
  };

  for (Index first = 0; first < m; first += kPanelRows) {
    const Index rows = std::min(kPanelRows, m - first);
    const Panel panel{first, rows, rows - rows % kRows};
    for (Index c0 = 0; c0 < chunks; c0 += kTile / 4)
      forward_tile(panel, c0, std::min(chunks, c0 + kTile / 4));
    finish(panel);
    if (!wanted.empty())
      for (Index p0 = 0; p0 < N; p0 += kTile) adjoint_tile(panel, p0, std::min(N, p0 + kTile));
  }
}

/// Blocks of four rows (panels where they pay, in the copy that has them).
template <bool kPanels, class T>
NCVX_INLINE void pass(const T* S, Index m, Index N, const double* y, const std::vector<const double*>& x,
                      const std::vector<double*>& w, const BlockLoss& loss) {
  if constexpr (kPanels) {
    if (x.size() >= kPanelFrom && m >= kPanelRows) {
      panel_pass(S, m, N, y, x, w, loss);
      return;
    }
  }
  std::vector<double> scratch(x.size() * kRows, 0.0);
  Index i = 0;
  for (; i + kRows <= m; i += kRows) {
    const T* rows[kRows];
    for (Index r = 0; r < kRows; ++r) rows[r] = S + (i + r) * N;
    block<kRows>(rows, N, i, y + i, x, w, loss, scratch);
  }
  for (; i < m; ++i) {
    const T* rows[1] = {S + i * N};
    block<1>(rows, N, i, y + i, x, w, loss, scratch);
  }
}

// One copy per instruction set, chosen at run time. All copies compute the
// same sums in the same order (no contraction into FMA), so they agree bit
// for bit. Measured on the development machine and not kept: an AVX-512 copy
// of the block-by-block pass sharing each row's loads among four vectors,
// software prefetching of the next block, and a sweep that overlaps the next
// block's dot products with the current block's adjoint (all slower).
template <class T>
__attribute__((target("avx512f,avx512vl,avx2"), flatten)) void pass_avx512(
    const T* S, Index m, Index N, const double* y, const std::vector<const double*>& x,
    const std::vector<double*>& w, const BlockLoss& loss) {
  pass<true>(S, m, N, y, x, w, loss);
}
template <class T>
__attribute__((target("avx2"), flatten)) void pass_avx2(const T* S, Index m, Index N, const double* y,
                                                        const std::vector<const double*>& x,
                                                        const std::vector<double*>& w,
                                                        const BlockLoss& loss) {
  pass<false>(S, m, N, y, x, w, loss);
}
template <class T>
__attribute__((flatten)) void pass_default(const T* S, Index m, Index N, const double* y,
                                           const std::vector<const double*>& x, const std::vector<double*>& w,
                                           const BlockLoss& loss) {
  pass<false>(S, m, N, y, x, w, loss);
}

template <class T>
void dispatch(const T* S, Index m, Index N, const double* y, const std::vector<const double*>& x,
              const std::vector<double*>& w, const BlockLoss& loss) {
  static const auto chosen = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) return &pass_avx512<T>;
    return __builtin_cpu_supports("avx2") ? &pass_avx2<T> : &pass_default<T>;
  }();
  chosen(S, m, N, y, x, w, loss);
}

}  // namespace

void fused_pass(const double* S, Index m, Index N, const double* y, const std::vector<const double*>& x,
                const std::vector<double*>& w, const BlockLoss& loss) {
  dispatch(S, m, N, y, x, w, loss);
}

void fused_pass(const float* S, Index m, Index N, const double* y, const std::vector<const double*>& x,
                const std::vector<double*>& w, const BlockLoss& loss) {
  dispatch(S, m, N, y, x, w, loss);
}

}  // namespace ncvx::kernels
