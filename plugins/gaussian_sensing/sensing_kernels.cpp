#include "sensing_kernels.hpp"

#include "../common/row_blocks.hpp"

namespace ncvx::kernels {

namespace {

constexpr Index kRows = 4;  // rows per block (2 and 8 measured slower)

using ncvx::simd::accumulate;
using ncvx::simd::dots;

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

template <class T>
NCVX_INLINE void pass(const T* S, Index m, Index N, const double* y, const std::vector<const double*>& x,
                      const std::vector<double*>& w, const BlockLoss& loss) {
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
// sharing each row's loads among four vectors (its units are 256 bits wide),
// software prefetching of the next block, and a sweep that overlaps the next
// block's dot products with the current block's adjoint (all slower).
template <class T>
__attribute__((target("avx2"), flatten)) void pass_avx2(const T* S, Index m, Index N, const double* y,
                                                        const std::vector<const double*>& x,
                                                        const std::vector<double*>& w, const BlockLoss& loss) {
  pass(S, m, N, y, x, w, loss);
}
template <class T>
__attribute__((flatten)) void pass_default(const T* S, Index m, Index N, const double* y,
                                           const std::vector<const double*>& x, const std::vector<double*>& w,
                                           const BlockLoss& loss) {
  pass(S, m, N, y, x, w, loss);
}

template <class T>
void dispatch(const T* S, Index m, Index N, const double* y, const std::vector<const double*>& x,
              const std::vector<double*>& w, const BlockLoss& loss) {
  static const auto chosen = [] {
    __builtin_cpu_init();
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
