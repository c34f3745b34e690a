#include "sensing_kernels.hpp"

#include <cstring>

namespace ncvx::kernels {

namespace {

constexpr Index kRows = 4;  // rows per block

typedef double lanes __attribute__((vector_size(32)));  // four doubles

__attribute__((always_inline)) inline lanes load(const double* p) {
  lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
__attribute__((always_inline)) inline void store(double* p, lanes v) { std::memcpy(p, &v, sizeof v); }

__attribute__((always_inline)) inline double reduce(lanes v) { return (v[0] + v[1]) + (v[2] + v[3]); }

/// Dot products of R rows with two vectors (J = 2) or one (J = 1).
template <int R, int J>
__attribute__((always_inline)) inline void dots(const double* const* rows, const double* const* x, Index N,
                                                double (*out)[2]) {
  lanes acc[R][J];
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < J; ++j) acc[r][j] = lanes{0, 0, 0, 0};
  Index p = 0;
  for (; p + 4 <= N; p += 4) {
    lanes xs[J];
    for (int j = 0; j < J; ++j) xs[j] = load(x[j] + p);
    for (int r = 0; r < R; ++r) {
      const lanes s = load(rows[r] + p);
      for (int j = 0; j < J; ++j) acc[r][j] = acc[r][j] + s * xs[j];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < J; ++j) {
      double sum = reduce(acc[r][j]);
      for (Index q = p; q < N; ++q) sum = sum + rows[r][q] * x[j][q];
      out[r][j] = sum;
    }
}

/// w += sum_r d[r] rows[r], row after row.
template <int R>
__attribute__((always_inline)) inline void accumulate(const double* const* rows, const double* d, double* w,
                                                      Index N) {
  lanes coefficient[R];
  for (int r = 0; r < R; ++r) coefficient[r] = lanes{d[r], d[r], d[r], d[r]};
  Index p = 0;
  for (; p + 4 <= N; p += 4) {
    lanes sum = load(w + p);
    for (int r = 0; r < R; ++r) sum = sum + coefficient[r] * load(rows[r] + p);
    store(w + p, sum);
  }
  for (; p < N; ++p) {
    double sum = w[p];
    for (int r = 0; r < R; ++r) sum = sum + d[r] * rows[r][p];
    w[p] = sum;
  }
}

template <int R>
__attribute__((always_inline)) inline void block(const double* const* rows, Index N, const double* y, const std::vector<const double*>& x,
           const std::vector<double*>& w, const BlockLoss& loss) {
  const std::size_t K = x.size();
  double products[R][2];
  double residual[R], derivative[R];
  std::size_t j = 0;
  for (; j + 2 <= K; j += 2) {
    const double* pair[2] = {x[j], x[j + 1]};
    dots<R, 2>(rows, pair, N, products);
    for (int t = 0; t < 2; ++t) {
      for (int r = 0; r < R; ++r) residual[r] = products[r][t] - y[r];
      loss(j + static_cast<std::size_t>(t), residual, derivative, R);
      if (w[j + static_cast<std::size_t>(t)]) accumulate<R>(rows, derivative, w[j + static_cast<std::size_t>(t)], N);
    }
  }
  if (j < K) {
    dots<R, 1>(rows, &x[j], N, products);
    for (int r = 0; r < R; ++r) residual[r] = products[r][0] - y[r];
    loss(j, residual, derivative, R);
    if (w[j]) accumulate<R>(rows, derivative, w[j], N);
  }
}

// One copy per instruction set; the loader picks the best the CPU has. All
// copies compute the same sums in the same order (no contraction into FMA).
__attribute__((target_clones("avx2", "default"), flatten))
void pass(const double* S, Index m, Index N, const double* y, const std::vector<const double*>& x,
          const std::vector<double*>& w, const BlockLoss& loss) {
  Index i = 0;
  for (; i + kRows <= m; i += kRows) {
    const double* rows[kRows];
    for (Index r = 0; r < kRows; ++r) rows[r] = S + (i + r) * N;
    block<kRows>(rows, N, y + i, x, w, loss);
  }
  for (; i < m; ++i) {
    const double* rows[1] = {S + i * N};
    block<1>(rows, N, y + i, x, w, loss);
  }
}

}  // namespace

void fused_pass(const double* S, Index m, Index N, const double* y, const std::vector<const double*>& x,
                const std::vector<double*>& w, const BlockLoss& loss) {
  pass(S, m, N, y, x, w, loss);
}

}  // namespace ncvx::kernels
