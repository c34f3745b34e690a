#pragma once
// A factorization: how a method's blocks F = {F_1, ..., F_b} make the matrix
// X (n1 x n2, or the unfolding of a tensor, matrix_shape.hpp) that the
// operator measures. Every factorization writes its product as two thin
// factors,
//
//   X = P(F) = L(F) R(F)^T,   L (n1 x q),  R (n2 x q),
//
// so the operator's factored forms (one fused pass for a value and the two
// adjoint products) serve every factorization. With G = grad_X f = A*(l'(r))
// the operator returns
//
//   G R (n1 x q)   and   G^T L (n2 x q),
//
// and the factorization's chain rule (`pull_back`) turns them into every
// block's gradient, with small dense algebra only:
//
//   uu     F = {U},           L = R = U,                 grad_U = G R + G^T L  (= 2 G U)
//   uv     F = {U, V},        L = U, R = V,              grad_U = G R, grad_V = G^T L
//   deep   F = {W_1 .. W_D},  L = W_D ... W_2, R = W_1^T, grad_{W_1} = (G^T L)^T,
//          grad_{W_j} = (W_D ... W_{j+1})^T (G R) (W_{j-1} ... W_2)^T
//   cp     F = {A, B, C},     L = A, R = C (.) B (Khatri-Rao), grad_A = G R,
//          grad_B(j, r) = sum_l (G^T L)(j + n2 l, r) C(l, r),  grad_C likewise.
//
// U U^T and U V^T keep their own factor sets (factor_set.hpp) and the core
// hands them to the operator directly (`direct()`: today's bits); every other
// factorization declares general blocks (FactorShape::blocks), which
// initializers fill and optimizers update block by block.
//
//   shape(problem, width)   the blocks' shapes (rows x cols each) for X of this
//                           shape at this width (deep: the hidden width k;
//                           cp: the tensor rank),
//   refuses(problem, width) why this factorization cannot fit that problem, as
//                           a sentence with the fix ("" when it can),
//   lift(F, L, R)           the thin factors of X,
//   pull_back(...)          the chain rule above.
//
// Contract: pure functions of their inputs, safe to call concurrently; lift
// and pull_back agree (the conformance kit compares pull_back with finite
// differences of <G, L R^T> for a random G).

#include <string>

#include "ncvx/factor_set.hpp"
#include "ncvx/matrix_shape.hpp"

namespace ncvx {

class Factorization {
 public:
  virtual ~Factorization();

  /// The blocks' shapes for X of `problem`'s shape at `width`.
  virtual FactorShape shape(const MatrixShape& problem, Index width) const = 0;
  /// Why X of this shape at this width is not fitted by this factorization ("" if it is).
  virtual std::string refuses(const MatrixShape& problem, Index width) const;
  /// Whether the blocks are U U^T's or U V^T's factor set, given to the operator as they are.
  virtual bool direct() const;

  /// X = L R^T from the blocks.
  virtual void lift(const FactorSet& blocks, Matrix& left, Matrix& right) const = 0;
  /// Every block's gradient from G R (`left_product`, n1 x q) and G^T L
  /// (`right_product`, n2 x q), where L, R are lift(blocks); `gradient` has
  /// the blocks' shape on entry.
  virtual void pull_back(const FactorSet& blocks, const Matrix& left, const Matrix& right,
                         const Matrix& left_product, const Matrix& right_product, FactorSet& gradient) const = 0;
};

/// X = L R^T as the factor set {L, R} the operator and the ground truth read
/// (the blocks themselves when the factorization is direct).
FactorSet lifted(const Factorization& factorization, const FactorSet& blocks);

}  // namespace ncvx
