#include "rank_one_kernel.hpp"

#include <algorithm>
#include <vector>

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
  const double value = loss.evaluate(Eigen::Map<const Vector>(residual, R), Eigen::Map<Vector>(derivative, R));
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

NCVX_INLINE double rows(const Pass& pass, Index first, Index last, const double* y, const Loss& loss) {
  std::vector<double> scratch(static_cast<std::size_t>(3 * pass.k * kRows));
  // One factor (U U^T, B = A): the products with B are those with A, computed
  // once. Tested on the columns, so a caller's copy of u counts as u.
  const bool one_factor = pass.b == pass.a && std::equal(pass.u, pass.u + pass.k, pass.v);
  double value = 0.0;
  Index i = first;
  for (; i + kRows <= last; i += kRows)
    value += block<kRows>(pass, one_factor, i, y + (i - first), loss, scratch);
  for (; i < last; ++i) value += block<1>(pass, one_factor, i, y + (i - first), loss, scratch);
  return value;
}

using Function = double (*)(const Pass&, Index, Index, const double*, const Loss&);

__attribute__((target("avx2"), flatten)) double pass_avx2(const Pass& pass, Index first, Index last,
                                                           const double* y, const Loss& loss) {
  return rows(pass, first, last, y, loss);
}
__attribute__((flatten)) double pass_default(const Pass& pass, Index first, Index last, const double* y,
                                             const Loss& loss) {
  return rows(pass, first, last, y, loss);
}

}  // namespace

double fused_pass(const Pass& pass, Index first, Index last, const double* y, const Loss& loss) {
  static const Function chosen = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? &pass_avx2 : &pass_default;
  }();
  return chosen(pass, first, last, y, loss);
}

}  // namespace ncvx::rank_one
