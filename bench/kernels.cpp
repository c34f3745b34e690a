// ncvx_kernels: two of the plugins' kernels alone, on one thread, apart from
// the framework (no plugin is loaded: the kernels' sources are compiled in),
// to measure what holds them (docs/performance.md quotes these runs).
//
//   ncvx_kernels completion N P [forward]
//       one pass of matrix completion's kernel (completion_kernels.cpp) over
//       Omega drawn with probability P per entry of the upper triangle of an
//       N x N matrix, in the plugin's tiles, k = 10, the squared loss;
//       `forward`: residuals and loss only.
//   ncvx_kernels lockstep M N K [forward]
//       one fused pass of Gaussian sensing's kernel (sensing_kernels.cpp) over
//       M rows of N entries on 2 MiB pages, K vectors; `forward`: dot products
//       and loss only.
//
// Prints one CSV line: kernel, sizes, the fastest of nine passes in seconds,
// and the rate (nanoseconds per observation, or G multiply-adds per second,
// to set against the peak that `ncvx_bench machine` measures).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <ncvx/loss.hpp>

#include "../plugins/common/huge_page_array.hpp"
#include "../plugins/gaussian_sensing/sensing_kernels.hpp"
#include "../plugins/matrix_completion/observed.hpp"

namespace {

using ncvx::Index;

/// The fastest of nine calls, in seconds.
template <class Pass>
double fastest(Pass pass) {
  double best = 1e300;
  for (int repeat = 0; repeat < 9; ++repeat) {
    const auto start = std::chrono::steady_clock::now();
    pass();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

/// The squared loss plugin's numbers: l(r) = r^2 / 4.
class SquaredLoss final : public ncvx::Loss {
 public:
  double evaluate(ncvx::ConstVectorView residual, ncvx::VectorView derivative) const override {
    derivative = 0.5 * residual;
    return 0.25 * residual.squaredNorm();
  }
};

/// Omega drawn with probability p per entry of the upper triangle of an
/// n x n matrix, in the plugin's tiles (observed.hpp).
ncvx::completion::Observed draw_omega(Index n, double p, std::mt19937_64& random) {
  ncvx::completion::Observed omega(ncvx::MatrixShape::square_symmetric(n), p);
  std::geometric_distribution<Index> gap(p);  // unobserved entries before the next observed one
  for (Index j = 0; j < n; ++j)
    for (Index i = gap(random); i <= j; i += 1 + gap(random))
      omega.add(static_cast<std::int32_t>(i), static_cast<std::int32_t>(j));
  omega.close();
  return omega;
}

int completion(Index n, double p, bool forward_only) {
  constexpr Index k = 10, stride = 12;
  std::mt19937_64 random(20261130);
  std::uniform_real_distribution<double> uniform(-0.5, 0.5);
  const ncvx::completion::Observed omega = draw_omega(n, p, random);
  const Index observed = static_cast<Index>(omega.offsets.size());
  const ncvx::completion::TiledOmega tiled = omega.tiled();
  std::vector<double> factor(static_cast<std::size_t>(n * stride), 0.0), gradient(factor.size()),
      observations(static_cast<std::size_t>(observed));
  for (Index i = 0; i < n; ++i)
    for (Index c = 0; c < k; ++c) factor[static_cast<std::size_t>(i * stride + c)] = uniform(random);
  for (double& y : observations) y = uniform(random);
  const SquaredLoss loss;
  const ncvx::completion::PaddedRows rows{factor.data(), factor.data(),
                                          forward_only ? nullptr : gradient.data(), nullptr, stride};
  double value = 0.0;
  const double seconds = fastest([&] {
    std::fill(gradient.begin(), gradient.end(), 0.0);
    value = ncvx::completion::segment_pass(tiled, 0, observed, observations.data(),
                                           ncvx::completion::Factoring::one_factor, rows, loss);
  });
  std::printf("completion%s,n=%ld,p=%g,observed=%ld,k=%ld,%.6e,%.3f ns per observation,value=%.17g\n",
              forward_only ? " forward" : "", static_cast<long>(n), p, static_cast<long>(observed),
              static_cast<long>(k), seconds, seconds * 1e9 / static_cast<double>(observed), value);
  return 0;
}

int lockstep(Index m, Index N, Index K, bool forward_only) {
  std::mt19937_64 random(20261130);
  std::uniform_real_distribution<double> uniform(-0.5, 0.5);
  ncvx::HugePageArray<double> rows(static_cast<std::size_t>(m * N));
  for (std::size_t e = 0; e < rows.size(); ++e) rows.data()[e] = uniform(random);
  std::vector<double> y(static_cast<std::size_t>(m), 0.5);
  std::vector<std::vector<double>> vectors(static_cast<std::size_t>(K), std::vector<double>(N, 0.01)),
      sums(static_cast<std::size_t>(K), std::vector<double>(N, 0.0));
  std::vector<const double*> x;
  std::vector<double*> w;
  for (Index j = 0; j < K; ++j) {
    x.push_back(vectors[static_cast<std::size_t>(j)].data());
    w.push_back(forward_only ? nullptr : sums[static_cast<std::size_t>(j)].data());
  }
  const ncvx::kernels::BlockLoss loss = [](std::size_t, Index, const double* residual, double* derivative,
                                           Index count) {
    for (Index t = 0; t < count; ++t) derivative[t] = 1e-9 * residual[t];
  };
  const double seconds = fastest([&] { ncvx::kernels::fused_pass(rows.data(), m, N, y.data(), x, w, loss); });
  const double multiply_adds = (forward_only ? 1.0 : 2.0) * static_cast<double>(m * N * K);
  std::printf("lockstep%s,m=%ld,N=%ld,K=%ld,%.6e,%.2f G multiply-adds per second\n",
              forward_only ? " forward" : "", static_cast<long>(m), static_cast<long>(N),
              static_cast<long>(K), seconds, multiply_adds / seconds / 1e9);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string which = argc > 1 ? argv[1] : "";
  const bool forward_only = argc > 2 && std::string(argv[argc - 1]) == "forward";
  if (which == "completion" && argc >= 4)
    return completion(std::atol(argv[2]), std::atof(argv[3]), forward_only);
  if (which == "lockstep" && argc >= 5)
    return lockstep(std::atol(argv[2]), std::atol(argv[3]), std::atol(argv[4]), forward_only);
  std::fprintf(stderr, "usage: ncvx_kernels completion N P [forward] | lockstep M N K [forward]\n");
  return 2;
}
