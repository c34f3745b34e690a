#pragma once
// A loss on measurement residuals, applied elementwise and summed:
//
//   L(r) = sum_i l(r_i),   r = A(U U^T) - y,
//
// `evaluate` returns L(r) and writes l'(r_i) into `derivative` (same size as
// r). It may be called on any segment of the residual (operators evaluate
// blockwise, in one pass over their storage), so l must be elementwise. The core composes the objective f(U) = L(A(U U^T) - y) and its gradient
//
//   grad f(U) = 2 A*(l'(r)) U,
//
// so a loss never sees U or A. The squared loss l(r) = r^2 / 4, l'(r) = r / 2
// gives exactly f(U) = 1/4 |A(U U^T) - y|^2 and grad f(U) = A*(r) U.
//
// Contract: l is differentiable almost everywhere; `evaluate` is a pure
// function (safe to call concurrently).

#include "ncvx/types.hpp"

namespace ncvx {

class Loss {
 public:
  virtual ~Loss();

  virtual double evaluate(ConstVectorView residual, VectorView derivative) const = 0;
};

}  // namespace ncvx
