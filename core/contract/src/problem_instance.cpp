#include "ncvx/problem_instance.hpp"

#include <cmath>

#include <fmt/format.h>

#include "ncvx/errors.hpp"

namespace ncvx {

ProblemInstance::ProblemInstance(ProblemDescription description, ProblemData data,
                                 std::shared_ptr<const MeasurementOperator> measurement,
                                 Vector observations)
    : description_(std::move(description)),
      data_(std::move(data)),
      measurement_(std::move(measurement)),
      observations_(std::move(observations)) {}

const GroundTruth& ProblemInstance::ground_truth() const {
  if (!data_.ground_truth)
    throw Error("this problem has no ground truth X* (a data problem); use a metric that does not "
                "need one, or a problem with a ground truth");
  return *data_.ground_truth;
}

double ProblemInstance::test_error(const FactorSet& fit) const {
  return data_.ground_truth ? data_.ground_truth->relative_error(fit) : std::nan("");
}

namespace {

double entries_rmse(const FactorSet& fit, const MatrixEntries& heldout) {
  // Rows of U and V as contiguous columns.
  const Matrix left = fit.left().transpose(), right = fit.right().transpose();
  double sum = 0;
  for (std::size_t e = 0; e < heldout.size(); ++e) {
    const double predicted = left.col(heldout.rows[e]).dot(right.col(heldout.columns[e]));
    const double difference = predicted - heldout.values[e];
    sum += difference * difference;
  }
  return std::sqrt(sum / static_cast<double>(heldout.size()));
}

}  // namespace

double ProblemInstance::heldout_rmse(const FactorSet& fit) const {
  if (!data_.heldout || data_.heldout->size() == 0) return std::nan("");
  return entries_rmse(fit, *data_.heldout);
}

double ProblemInstance::validation_rmse(const FactorSet& fit) const {
  if (!validation_ || validation_->size() == 0) return std::nan("");
  return entries_rmse(fit, *validation_);
}

}  // namespace ncvx
