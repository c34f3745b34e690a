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

#include "ncvx/objective.hpp"

namespace ncvx {

class Optimizer {
 public:
  virtual ~Optimizer();

  virtual void step(const Objective& objective, FactorSet& factors, Index iteration) = 0;
};

}  // namespace ncvx
