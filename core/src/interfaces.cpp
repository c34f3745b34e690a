// Out-of-line key functions of the plugin interfaces: their vtables and type
// information live in the core library, once, for the host and every plugin.

#include "ncvx/initializer.hpp"
#include "ncvx/loss.hpp"
#include "ncvx/measurement_model.hpp"
#include "ncvx/measurement_operator.hpp"
#include "ncvx/metric.hpp"
#include "ncvx/optimizer.hpp"

namespace ncvx {

MeasurementOperator::~MeasurementOperator() = default;
MeasurementModel::~MeasurementModel() = default;
Loss::~Loss() = default;
Initializer::~Initializer() = default;
Optimizer::~Optimizer() = default;
Metric::~Metric() = default;

void MeasurementOperator::forward_factored(const Matrix& U, Vector& out) const {
  const Matrix X = U * U.transpose();
  forward(X, out);
}

void MeasurementOperator::evaluate(const Vector& observations, const Loss& loss,
                                   std::span<FactorEvaluation> items) const {
  Vector residual, derivative;
  for (FactorEvaluation& item : items) {
    forward_factored(*item.factor, residual);
    residual -= observations;
    derivative.resize(residual.size());
    item.value = loss.evaluate(residual, derivative);
    if (item.adjoint_times_factor) adjoint_apply(derivative, *item.factor, *item.adjoint_times_factor);
  }
}

Matrix MeasurementOperator::adjoint(const Vector& v) const {
  Matrix result(dimension(), dimension());
  adjoint_apply(v, Matrix::Identity(dimension(), dimension()), result);
  return result;
}

std::size_t MeasurementModel::required_bytes(Index) const { return 0; }
bool MeasurementModel::isometric_in_expectation() const { return false; }
bool MeasurementModel::shares_passes() const { return false; }

}  // namespace ncvx
