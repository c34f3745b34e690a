#pragma once
// An optimizer advances the factor U by one iteration on the objective f.
//
// The core owns the loop: iteration budget, logging cadence, stopping rules
// and divergence detection are the same for every optimizer. An optimizer
// only implements the update, using the objective the core composed from
// the measurement operator and the loss (it never re-derives a gradient):
//
//   void step(const Objective& f, Matrix& U, Index iteration) override {
//     f.value_and_gradient(U, gradient_);
//     U -= step_ * gradient_;                     // U_{t+1} = U_t - mu grad f(U_t)
//   }
//
// One Optimizer object serves one run from start to end, so it may keep
// state between steps (momentum, step-size schedules); `iteration` is t,
// starting at 0.

#include "ncvx/objective.hpp"

namespace ncvx {

class Optimizer {
 public:
  virtual ~Optimizer();

  virtual void step(const Objective& objective, Matrix& factor, Index iteration) = 0;
};

}  // namespace ncvx
