#pragma once
// The fused pass of rank-one measurements over the rows a_i of the m x n1
// matrix A and b_i of the m x n2 matrix B (B = A for a symmetric shape),
// both row-major, for X = U V^T (V = U for one factor):
//
//   p_i = U^T a_i,  q_i = V^T b_i                   (k dot products each; q = p for U U^T)
//   r_i = scale <p_i, q_i> - y_i                     (scale = 1/sqrt(m))
//   d   = l'(r) on each block of four rows, value += L(r)
//   G_L += scale d_i a_i q_i^T,  G_R += scale d_i b_i p_i^T   (A*(d) V and A*(d)^T U)
//
// One read of the rows: a block's rows are dotted, then, still in cache,
// added into the accumulators. Sums have the fixed orders of
// ../common/row_blocks.hpp.

#include <ncvx/loss.hpp>
#include <ncvx/types.hpp>

namespace ncvx::rank_one {

struct Pass {
  const double* a;  ///< rows of A, n1 apart
  const double* b;  ///< rows of B, n2 apart (== a for a symmetric shape)
  Index n1, n2;
  double scale;
  const double* const* u;        ///< the k columns of U (n1 each)
  const double* const* v;        ///< the k columns of V (n2 each); U's for one factor
  Index k;
  double* const* gradient_left;   ///< k columns of G_L (n1 each), or nullptr: value only
  double* const* gradient_right;  ///< k columns of G_R (n2 each), or nullptr (one factor, or value only)
};

/// Rows first .. last - 1, with y their observations (y[0] is row first's);
/// returns the loss on them and adds to the accumulators.
double fused_pass(const Pass& pass, Index first, Index last, const double* y, const Loss& loss);

}  // namespace ncvx::rank_one
