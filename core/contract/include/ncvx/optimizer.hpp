#pragma once
// An optimizer advances the factor set F = {U} or {U, V} by one iteration on
// the objective f.
//
// The core owns the loop: iteration budget, logging cadence, stopping rules
// and divergence detection are the same for every optimizer. An optimizer
// only implements the update, using the objective the core composed from
// the measurement operator and the loss (it never re-derives a gradient):
//
//   void step(const Objective& f, FactorSet& F, Index iteration) override {
//     f.value_and_gradient(F, gradient_);
//     F -= step_ * gradient_;                     // F_{t+1} = F_t - mu grad f(F_t)
//   }
//
// The same code serves X = U U^T and X = U V^T (factor_set.hpp). One
// Optimizer object serves one run from start to end, so it may keep state
// between steps (momentum, step-size schedules); `iteration` is t, starting
// at 0.
//
// An optimizer that only works for some factor sets (alternating least
// squares needs X = U V^T, entropic mirror descent a symmetric X) says why
// in `refuses`: a configuration that pairs it with such a shape is rejected
// when it is loaded, and the conformance checks skip that shape. The default
// accepts U U^T and U V^T and refuses the general sets of other
// factorizations (deep, cp; factorization.hpp); an optimizer whose update
// uses only the objective and the set's arithmetic (gd, momentum) works on
// any factorization and overrides `refuses` to say so.

#include <string>

#include "ncvx/objective.hpp"

namespace ncvx {

class Optimizer {
 public:
  virtual ~Optimizer();

  virtual void step(const Objective& objective, FactorSet& factors, Index iteration) = 0;

  /// Why factor sets of this shape are not supported, as a sentence with the
  /// fix ("" when they are). Default: "" for U U^T and U V^T, a sentence for
  /// general shapes.
  virtual std::string refuses(const FactorShape& shape) const;
};

}  // namespace ncvx
