#pragma once
// One instance of an experiment's data, shared by every run with the same
// problem, corruptions, measurement and seed: what the problem plugin drew
// (X*, observed and held-out entries; problem.hpp), the measurement operator
// A and the observations y the methods see.
//
// The errors the core reports for a fit X (a factor set):
//
//   test_error    |X - X*|_F / |X*|_F                    (when there is an X*)
//   heldout_rmse  sqrt(mean_h (X_{i_h j_h} - v_h)^2)     (when there is a held-out set)
//   validation_rmse  the same on the validation set: observed entries the
//                 core held out from the fit (problem.validation)
//
// both without forming n1 x n2 matrices.

#include <memory>
#include <optional>

#include "ncvx/measurement_operator.hpp"
#include "ncvx/problem.hpp"

namespace ncvx {

class ProblemInstance {
 public:
  ProblemInstance(ProblemDescription description, ProblemData data,
                  std::shared_ptr<const MeasurementOperator> measurement, Vector observations);

  const ProblemDescription& description() const { return description_; }
  const MatrixShape& shape() const { return description_.shape; }
  const MeasurementOperator& measurement() const { return *measurement_; }
  const Vector& observations() const { return observations_; }

  bool has_ground_truth() const { return data_.ground_truth.has_value(); }
  /// X*; throws Error when the problem has none.
  const GroundTruth& ground_truth() const;
  const std::optional<MatrixEntries>& heldout() const { return data_.heldout; }
  const std::optional<MatrixEntries>& observed() const { return data_.observed; }

  /// NaN without a ground truth.
  double test_error(const FactorSet& fit) const;
  /// NaN without a held-out set.
  double heldout_rmse(const FactorSet& fit) const;

  /// The validation set: observed entries held out from the fit (set by the
  /// core before the operator is sampled; absent without problem.validation).
  const std::optional<MatrixEntries>& validation() const { return validation_; }
  void set_validation(MatrixEntries entries) { validation_ = std::move(entries); }
  /// NaN without a validation set.
  double validation_rmse(const FactorSet& fit) const;

 private:
  ProblemDescription description_;
  ProblemData data_;
  std::shared_ptr<const MeasurementOperator> measurement_;
  Vector observations_;
  std::optional<MatrixEntries> validation_;  // last: the members before keep their place
};

}  // namespace ncvx
