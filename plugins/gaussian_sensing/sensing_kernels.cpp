#include "sensing_kernels.hpp"

#include <algorithm>

#include "../common/panels.hpp"
#include "../common/row_blocks.hpp"

namespace ncvx::kernels {

namespace {

constexpr Index kRows = 4;  // rows per block (2 and 8 measured slower)

using ncvx::simd::accumulate;
using ncvx::simd::dots;
using ncvx::simd::kPanelRows;
using ncvx::simd::Panel;

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
// Panels (../common/panels.hpp), for three or more vectors where the
// registers are 512 bits wide: the block-by-block pass reads every vector and
// every accumulator once per block of four rows, and with K vectors (K x 160
// KB each at n = 200) they no longer fit in L2 beside the rows. A panel's
// loss runs block by block of four rows, as in the block-by-block pass, so
// the numbers are that pass's, bit for bit.
//
// Measured side by side at (200, 10 000), K = 8, one pass on two cores:
// panels of 8 rows and tiles of 128 entries took 93-99 ms against 136-150 ms
// for the block-by-block pass; panels of 16 and 32 rows, tiles of 256-2048
// entries, software prefetching, the forward of the next panel interleaved
// with the adjoint of the current one, and 256-bit registers for the forward
// were no faster or slower. With 256-bit registers only (AVX2), panels were
// slower than blocks (137 against 128 ms), so that copy keeps blocks.

constexpr std::size_t kPanelFrom = 3;  // vectors from which panels pay (equal at 1 and 2)

/// The buffers of a panel pass, kept per thread between passes.
struct PanelBuffers {
  std::vector<double> pairs, lanes, products, derivatives;
  std::vector<double*> tile_targets;
};

template <class T>
NCVX_INLINE void panel_pass(const T* S, Index m, Index N, const double* y,
                            const std::vector<const double*>& x, const std::vector<double*>& w,
                            const BlockLoss& loss) {
  const std::size_t K = x.size();
  thread_local PanelBuffers buffers;
  const ncvx::simd::VectorPairs pairs(x.data(), K, N, buffers.pairs);
  const Index lane_stride = pairs.lane_stride(), vector_end = 4 * pairs.chunks();
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
  auto coefficients_of = [&](Index r) {
    for (std::size_t t = 0; t < wanted.size(); ++t)
      coefficients[t] = buffers.derivatives.data() + wanted[t] * kPanelRows + r;
    return coefficients.data();
  };

  // The dot products, then the residuals and the loss block by block; the
  // lanes cleared for the next panel.
  auto finish = [&](const Panel& panel, auto row) {
    for (Index r = 0; r < panel.rows; ++r)
      for (std::size_t j = 0; j < K; ++j)
        buffers.products[j * kPanelRows + static_cast<std::size_t>(r)] =
            ncvx::simd::lane_total(lanes + r * lane_stride, j, row(r), x[j], vector_end, N);
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

  for (Index first = 0; first < m; first += kPanelRows) {
    const Index rows = std::min(kPanelRows, m - first);
    const Panel panel{first, rows, rows - rows % kRows};
    const auto row = [&](Index r) { return S + (first + r) * N; };
    pairs.forward(panel, row, lanes);
    finish(panel, row);
    if (!wanted.empty())
      ncvx::simd::panel_adjoint(panel, row, coefficients_of, targets.data(), targets.size(), N,
                                buffers.tile_targets);
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
