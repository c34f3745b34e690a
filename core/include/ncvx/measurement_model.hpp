#pragma once
// A measurement model: a distribution over measurement operators.
//
// Given the matrix side n and a random stream, `sample` draws one operator A
// (for Gaussian sensing, the m matrices B_i; for completion, the observed
// set Omega). Its parameters (m, p, ...) are declared by the plugin and
// validated by the core before the model is constructed.
//
// Contract: the operator depends only on n, the parameters and the numbers
// drawn from `random`; the same stream state gives the same operator.
// `required_bytes(n)` estimates the memory the operator will hold so the core
// can refuse a configuration that does not fit before allocating it.

#include <cstddef>
#include <memory>

#include "ncvx/measurement_operator.hpp"
#include "ncvx/random_stream.hpp"

namespace ncvx {

class MeasurementModel {
 public:
  virtual ~MeasurementModel();

  virtual std::unique_ptr<MeasurementOperator> sample(Index dimension,
                                                      RandomStream& random) const = 0;

  /// Bytes the sampled operator will hold for side n (an estimate; 0 if unknown).
  virtual std::size_t required_bytes(Index dimension) const;

  /// Whether the model claims E|A(Z)|^2 = |Z|_F^2 for symmetric Z (E[A*A] = I);
  /// `ncvx check` then verifies it.
  virtual bool isometric_in_expectation() const;

  /// Whether the operator's `evaluate` serves several factors in one pass over
  /// its storage, so that runs sharing an instance gain from advancing in
  /// lockstep (runner.hpp).
  virtual bool shares_passes() const;
};

}  // namespace ncvx
