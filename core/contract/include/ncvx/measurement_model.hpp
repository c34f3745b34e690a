#pragma once
// A measurement model: a distribution over measurement operators.
//
// Given the shape of the problem (and, for a data problem, the entries it
// observed) and a random stream, `sample` draws one operator A (for Gaussian
// sensing, the m matrices B_i; for completion, the observed set Omega). Its
// parameters (m, p, ...) are declared by the plugin and validated by the
// core before the model is constructed.
//
// Contract: the operator depends only on the setting, the parameters and the
// numbers drawn from `random`; the same stream state gives the same operator.
// A model that cannot measure a setting (a rectangular shape, or observed
// entries it has no use for) throws with a sentence saying so.
// `required_bytes(shape)` estimates the memory the operator will hold so the
// core can refuse a configuration that does not fit before allocating it.

#include <cstddef>
#include <memory>

#include "ncvx/matrix_entries.hpp"
#include "ncvx/measurement_operator.hpp"
#include "ncvx/random_stream.hpp"

namespace ncvx {

/// What a model measures.
struct MeasurementSetting {
  MatrixShape shape;
  /// The observed entries of a data problem (the operator then measures
  /// exactly these, in this order), or nullptr for a generative problem.
  const MatrixEntries* observed = nullptr;
};

class MeasurementModel {
 public:
  virtual ~MeasurementModel();

  virtual std::unique_ptr<MeasurementOperator> sample(const MeasurementSetting& setting,
                                                      RandomStream& random) const = 0;

  /// Bytes the sampled operator will hold for this shape (an estimate; 0 if unknown).
  virtual std::size_t required_bytes(const MatrixShape& shape) const;

  /// Whether the model claims E|A(Z)|^2 = |Z|_F^2 (E[A*A] = I) for matrices
  /// of this shape; `ncvx check` then verifies it.
  virtual bool isometric_in_expectation(const MatrixShape& shape) const;

  /// Whether the operator's `evaluate` serves several factor sets in one pass
  /// over its storage, so that runs sharing an instance gain from advancing
  /// in lockstep (runner.hpp).
  virtual bool shares_passes() const;
};

}  // namespace ncvx
