#pragma once
// A corruption of the observations: the stage between measuring y = A(X*)
// and handing y to the methods.
//
//   y <- corrupt(y)     e.g.  y_i + s xi_i (noise),  or y_i replaced by an
//                              outlier on a random fraction of i
//
// Corruptions are listed in the configuration (`corruptions:`) and applied
// in that order, the i-th (0-based) with its own stream
// (seed, "corruption.i"), so every method of a run sees the same corrupted y.
// They never see X* or A: only y and the stream.
//
// Contract: the result depends only on y, the parameters and the numbers
// drawn from `random`.

#include "ncvx/random_stream.hpp"

namespace ncvx {

class Corruption {
 public:
  virtual ~Corruption();

  virtual void corrupt(Vector& observations, RandomStream& random) const = 0;
};

}  // namespace ncvx
