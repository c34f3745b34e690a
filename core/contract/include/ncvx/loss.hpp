#pragma once
// A loss of the predictions z = A(X) given the observations y, applied
// elementwise and summed:
//
//   L(z; y) = sum_i l(z_i; y_i),   z = A(X),
//
// `evaluate_observed` receives the residual r = z - y and y (segments of
// equal size: operators evaluate blockwise, in one pass over their storage,
// so l must be elementwise), returns L and writes dl/dz_i into
// `derivative`. The core composes the objective f = L(A(X); y) and its
// gradient (objective.hpp),
//
//   grad_X f = A*(l'(z; y)),   grad f(U) = 2 A*(l'(z; y)) U  for X = U U^T,
//
// so a loss never sees U or A.
//
// Most losses are functions of the residual alone, l(z; y) = l(z - y), and
// implement only `evaluate(residual, derivative)` (the default of
// evaluate_observed calls it): the squared loss l(r) = r^2 / 4, l'(r) = r / 2
// gives exactly f(U) = 1/4 |A(U U^T) - y|^2 and grad f(U) = A*(r) U. A
// likelihood overrides evaluate_observed: the logistic loss of 1-bit data
// l(z; y) = log(1 + exp(-y z)), y = +-1, or the Poisson loss of counts
// l(z; y) = exp(z) - y z. Such a loss says which observations it accepts in
// `refuses` (y = +-1; counts >= 0): a configuration whose observations are
// outside the domain is refused when loaded (the first seed of every sweep
// point is checked, for losses that refuse generic real values), and a run
// given them anyway fails before its first step, with the reason.
//
// Contract: l is differentiable almost everywhere in z; the evaluations are
// pure functions (safe to call concurrently); l(0; y) need not be 0, and L
// may be negative (a log-likelihood up to a constant).

#include <string>

#include "ncvx/types.hpp"

namespace ncvx {

class Loss {
 public:
  virtual ~Loss();

  /// L = sum_i l(r_i) for a loss of the residual r = z - y; writes l'(r_i).
  /// Default: throws (a loss implements this or evaluate_observed).
  virtual double evaluate(ConstVectorView residual, VectorView derivative) const;
  /// L = sum_i l(z_i; y_i) from r = z - y and y; writes dl/dz_i. Default:
  /// evaluate(residual, derivative).
  virtual double evaluate_observed(ConstVectorView residual, ConstVectorView observations,
                                   VectorView derivative) const;
  /// Why these observations are outside the loss's domain, as a sentence
  /// with the fix ("" when they are not, the default).
  virtual std::string refuses(ConstVectorView observations) const;
};

}  // namespace ncvx
