#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("tucker: conforms, and its lift is the unfolding of G x1 A x2 B x3 C entry by entry") {
  CHECK(test::conforms(PluginKind::factorization, "tucker"));
  const auto tucker = test::plugins().find(PluginKind::factorization, "tucker").create_factorization({});
  const MatrixShape shape = MatrixShape::tensor(3, 4, 2);
  RandomStream random(5, "test");
  Matrix A(3, 2), B(4, 2), C(2, 2), core(2, 4);
  for (Matrix* block : {&A, &B, &C, &core}) random.fill_normal(*block);
  const FactorSet blocks(tucker->shape(shape, 2), {A, B, C, core});
  const FactorSet product = lifted(*tucker, blocks);
  const Matrix X = product.left() * product.right().transpose();
  double worst = 0;
  for (Index i = 0; i < 3; ++i)
    for (Index j = 0; j < 4; ++j)
      for (Index l = 0; l < 2; ++l) {
        double entry = 0;
        for (Index a = 0; a < 2; ++a)
          for (Index b = 0; b < 2; ++b)
            for (Index c = 0; c < 2; ++c) entry += core(a, b + 2 * c) * A(i, a) * B(j, b) * C(l, c);
        worst = std::max(worst, std::abs(X(i, j + 4 * l) - entry));
      }
  CHECK(worst < 1e-14);
}

TEST_CASE("tucker: completes a tensor of multilinear rank 2 from 30 % of its entries") {
  const test::Study study = test::study(R"(
problem: {name: low_rank_tensor, n1: 10, n2: 10, n3: 10, rank: 2}
measurement: {name: matrix_completion, p: 0.3}
methods:
  - {label: tucker, init: {name: small_random, scale: 0.3}, optimizer: {name: gd, step: 0.3}, width: 2,
     factorization: tucker}
run: {iterations: 5000, log_every: 500, seeds: [1, 2]}
)");
  for (const RunResult* run : study.runs("tucker")) CHECK(run->final_error < 1e-6);
}
