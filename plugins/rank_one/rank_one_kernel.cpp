#include "rank_one_kernel.hpp"

#include <algorithm>
#include <vector>

#include "../common/panels.hpp"
#include "../common/row_blocks.hpp"

namespace ncvx::rank_one {

namespace {

constexpr int kRows = 4;

/// out[r][j] = <rows[r], x[j]> for the k vectors x, two at a time.
template <int R>
NCVX_INLINE void products(const double* const* rows, const double* const* x, Index k, Index length,
                          double (*out)[kRows]) {
  double pair[R][2];
  Index j = 0;
  for (; j + 2 <= k; j += 2) {
    simd::dots<R, 2>(rows, x + j, length, pair);
    for (int r = 0; r < R; ++r) out[j][r] = pair[r][0], out[j + 1][r] = pair[r][1];
  }
  if (j < k) {
    simd::dots<R, 1>(rows, x + j, length, pair);
    for (int r = 0; r < R; ++r) out[j][r] = pair[r][0];
  }
}

/// w[j] += sum_r coefficient[j][r] rows[r] for the k accumulators, two at a time.
template <int R>
NCVX_INLINE void add_rows(const double* const* rows, const double (*coefficient)[kRows], double* const* w, Index k,
                          Index length) {
  Index j = 0;
  for (; j + 2 <= k; j += 2) simd::accumulate<R, 2>(rows, coefficient + j, w + j, length);
  if (j < k) simd::accumulate<R, 1>(rows, coefficient + j, w + j, length);
}

template <int R>
NCVX_INLINE double block(const Pass& pass, bool one_factor, Index first, const double* y, const Loss& loss,
                         std::vector<double>& scratch) {
  const Index k = pass.k;
  double (*p)[kRows] = reinterpret_cast<double (*)[kRows]>(scratch.data());           // k x kRows
  double (*q)[kRows] = one_factor ? p : p + k;                                         // k x kRows
  double (*coefficient)[kRows] = p + 2 * k;                                            // k x kRows
  const double* a[R];
  const double* b[R];
  for (int r = 0; r < R; ++r) {
    a[r] = pass.a + (first + r) * pass.n1;
    b[r] = pass.b + (first + r) * pass.n2;
  }
  products<R>(a, pass.u, k, pass.n1, p);
  if (!one_factor) products<R>(b, pass.v, k, pass.n2, q);
  double residual[kRows], derivative[kRows];
  for (int r = 0; r < R; ++r) {
    double inner = 0.0;
    for (Index j = 0; j < k; ++j) inner = inner + p[j][r] * q[j][r];
    residual[r] = pass.scale * inner - y[r];
  }
  const double value = loss.evaluate_observed(Eigen::Map<const Vector>(residual, R), Eigen::Map<const Vector>(y, R),
                                              Eigen::Map<Vector>(derivative, R));
  if (!pass.gradient_left) return value;
  for (int r = 0; r < R; ++r) derivative[r] = pass.scale * derivative[r];
  for (Index j = 0; j < k; ++j)
    for (int r = 0; r < R; ++r) coefficient[j][r] = derivative[r] * q[j][r];
  add_rows<R>(a, coefficient, pass.gradient_left, k, pass.n1);
  if (!pass.gradient_right) return value;
  for (Index j = 0; j < k; ++j)
    for (int r = 0; r < R; ++r) coefficient[j][r] = derivative[r] * p[j][r];
  add_rows<R>(b, coefficient, pass.gradient_right, k, pass.n2);
  return value;
}

/// Panels (../common/panels.hpp) for three or more columns where the
/// registers are 512 bits wide: the block-by-block pass sweeps a block's four
/// rows once per pair of columns, from L2 at n = 4 000, while a panel's tile of
/// rows stays in L1 for every column. The loss runs block by block of four
/// rows as in the block-by-block pass, so the numbers are that pass's, bit
/// for bit. Measured side by side (two cores, k = 10): see the README.
constexpr Index kPanelFrom = 3;

/// The buffers of a panel pass, kept per thread between passes.
struct PanelBuffers {
  std::vector<double> pairs_u, pairs_v, lanes_a, lanes_b, p, q, coefficients;
  std::vector<const double*> coefficient_rows;
  std::vector<double*> tile_targets;
};

NCVX_INLINE double panel_rows(const Pass& pass, bool one_factor, Index first, Index last, const double* y,
                              const Loss& loss) {
  using simd::kPanelRows;
  const Index k = pass.k;
  const auto K = static_cast<std::size_t>(k);
  thread_local PanelBuffers buffers;
  const simd::VectorPairs U(pass.u, K, pass.n1, buffers.pairs_u);
  const simd::VectorPairs V(pass.v, one_factor ? 0 : K, pass.n2, buffers.pairs_v);
  buffers.lanes_a.assign(static_cast<std::size_t>(kPanelRows * U.lane_stride()), 0.0);
  buffers.lanes_b.assign(one_factor ? 0 : static_cast<std::size_t>(kPanelRows * V.lane_stride()), 0.0);
  buffers.p.resize(K * kPanelRows);
  buffers.q.resize(K * kPanelRows);
  buffers.coefficients.resize(K * kPanelRows);
  buffers.coefficient_rows.resize(K);
  // p[j][r] and q[j][r] (q = p for one factor), kPanelRows apart.
  double* const p = buffers.p.data();
  const double* const q = one_factor ? p : buffers.q.data();
  double* const coefficients = buffers.coefficients.data();
  const auto coefficients_of = [&](Index r) {
    for (std::size_t j = 0; j < K; ++j) buffers.coefficient_rows[j] = coefficients + j * kPanelRows + r;
    return buffers.coefficient_rows.data();
  };
  double value = 0.0;
  for (Index start = first; start < last; start += kPanelRows) {
    const Index rows = std::min(kPanelRows, last - start);
    const simd::Panel panel{start, rows, rows - rows % kRows};
    const auto a_row = [&](Index r) { return pass.a + (start + r) * pass.n1; };
    const auto b_row = [&](Index r) { return pass.b + (start + r) * pass.n2; };
    U.forward(panel, a_row, buffers.lanes_a.data());
    if (!one_factor) V.forward(panel, b_row, buffers.lanes_b.data());
    for (Index r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < K; ++j) {
        p[j * kPanelRows + r] = simd::lane_total(buffers.lanes_a.data() + r * U.lane_stride(), j, a_row(r),
                                                 pass.u[j], 4 * U.chunks(), pass.n1);
        if (!one_factor)
          buffers.q[j * kPanelRows + r] = simd::lane_total(buffers.lanes_b.data() + r * V.lane_stride(), j,
                                                           b_row(r), pass.v[j], 4 * V.chunks(), pass.n2);
      }
    std::fill(buffers.lanes_a.begin(), buffers.lanes_a.end(), 0.0);
    std::fill(buffers.lanes_b.begin(), buffers.lanes_b.end(), 0.0);
    // The residuals and the loss block by block; the derivatives scaled.
    double derivative[kPanelRows];
    for (Index r = 0; r < rows;) {
      const Index count = r < panel.blocked ? kRows : 1;
      double residual[kRows];
      for (Index t = 0; t < count; ++t) {
        double inner = 0.0;
        for (std::size_t j = 0; j < K; ++j)
          inner = inner + p[j * kPanelRows + r + t] * q[j * kPanelRows + r + t];
        residual[t] = pass.scale * inner - y[start - first + r + t];
      }
      value += loss.evaluate_observed(Eigen::Map<const Vector>(residual, count),
                                      Eigen::Map<const Vector>(y + (start - first + r), count),
                                      Eigen::Map<Vector>(derivative + r, count));
      r += count;
    }
    if (!pass.gradient_left) continue;
    for (Index r = 0; r < rows; ++r) derivative[r] = pass.scale * derivative[r];
    for (std::size_t j = 0; j < K; ++j)
      for (Index r = 0; r < rows; ++r)
        coefficients[j * kPanelRows + r] = derivative[r] * q[j * kPanelRows + r];
    simd::panel_adjoint(panel, a_row, coefficients_of, pass.gradient_left, K, pass.n1, buffers.tile_targets);
    if (!pass.gradient_right) continue;
    for (std::size_t j = 0; j < K; ++j)
      for (Index r = 0; r < rows; ++r)
        coefficients[j * kPanelRows + r] = derivative[r] * p[j * kPanelRows + r];
    simd::panel_adjoint(panel, b_row, coefficients_of, pass.gradient_right, K, pass.n2, buffers.tile_targets);
  }
  return value;
}

template <bool kPanels>
NCVX_INLINE double rows(const Pass& pass, Index first, Index last, const double* y, const Loss& loss) {
  // One factor (U U^T, B = A): the products with B are those with A, computed
  // once. Tested on the columns, so a caller's copy of u counts as u.
  const bool one_factor = pass.b == pass.a && std::equal(pass.u, pass.u + pass.k, pass.v);
  if constexpr (kPanels) {
    if (pass.k >= kPanelFrom && last - first >= simd::kPanelRows)
      return panel_rows(pass, one_factor, first, last, y, loss);
  }
  std::vector<double> scratch(static_cast<std::size_t>(3 * pass.k * kRows));
  double value = 0.0;
  Index i = first;
  for (; i + kRows <= last; i += kRows)
    value += block<kRows>(pass, one_factor, i, y + (i - first), loss, scratch);
  for (; i < last; ++i) value += block<1>(pass, one_factor, i, y + (i - first), loss, scratch);
  return value;
}

using Function = double (*)(const Pass&, Index, Index, const double*, const Loss&);

__attribute__((target("avx512f,avx512vl,avx2"), flatten)) double pass_avx512(const Pass& pass, Index first,
                                                                             Index last, const double* y,
                                                                             const Loss& loss) {
  return rows<true>(pass, first, last, y, loss);
}
__attribute__((target("avx2"), flatten)) double pass_avx2(const Pass& pass, Index first, Index last,
                                                           const double* y, const Loss& loss) {
  return rows<false>(pass, first, last, y, loss);
}
__attribute__((flatten)) double pass_default(const Pass& pass, Index first, Index last, const double* y,
                                             const Loss& loss) {
  return rows<false>(pass, first, last, y, loss);
}

}  // namespace

double fused_pass(const Pass& pass, Index first, Index last, const double* y, const Loss& loss) {
  static const Function chosen = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) return &pass_avx512;
    return __builtin_cpu_supports("avx2") ? &pass_avx2 : &pass_default;
  }();
  return chosen(pass, first, last, y, loss);
}

}  // namespace ncvx::rank_one
