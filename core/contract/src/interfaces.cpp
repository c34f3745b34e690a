// Out-of-line key functions of the plugin interfaces (their vtables and type
// information live in the core library, once, for the host and every
// plugin), and the defaults of their optional members.

#include <stdexcept>

#include <fmt/format.h>

#include "ncvx/corruption.hpp"
#include "ncvx/device_form.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/factorization.hpp"
#include "ncvx/initializer.hpp"
#include "ncvx/loss.hpp"
#include "ncvx/measurement_model.hpp"
#include "ncvx/measurement_operator.hpp"
#include "ncvx/metric.hpp"
#include "ncvx/optimizer.hpp"
#include "ncvx/problem.hpp"

namespace ncvx {

Problem::~Problem() = default;
Corruption::~Corruption() = default;
MeasurementOperator::~MeasurementOperator() = default;
DeviceDescribed::~DeviceDescribed() = default;
MeasurementModel::~MeasurementModel() = default;
Loss::~Loss() = default;

double Loss::evaluate(ConstVectorView, VectorView) const {
  throw std::logic_error("this loss implements neither evaluate(residual, derivative) nor "
                         "evaluate_observed(residual, observations, derivative)");
}
double Loss::evaluate_observed(ConstVectorView residual, ConstVectorView, VectorView derivative) const {
  return evaluate(residual, derivative);
}
std::string Loss::refuses(ConstVectorView) const { return {}; }
Initializer::~Initializer() = default;
Optimizer::~Optimizer() = default;
Factorization::~Factorization() = default;
Metric::~Metric() = default;

// ---------------------------------------------------------------- what a method refuses

std::string Optimizer::refuses(const FactorShape& shape) const {
  return shape.general() ? "its update is written for X = U U^T and U V^T; an optimizer that updates any "
                           "factorization's blocks says so by overriding Optimizer::refuses"
                         : "";
}

std::string Initializer::refuses(const FactorShape& shape) const {
  return shape.general() ? "it fills U U^T and U V^T factor sets; an initializer that fills any "
                           "factorization's blocks says so by overriding Initializer::refuses"
                         : "";
}

// ---------------------------------------------------------------- Factorization

std::string Factorization::refuses(const MatrixShape&, Index) const { return {}; }
bool Factorization::direct() const { return false; }

FactorSet lifted(const Factorization& factorization, const FactorSet& blocks) {
  if (factorization.direct()) return blocks;
  Matrix left, right;
  factorization.lift(blocks, left, right);
  return FactorSet(std::move(left), std::move(right));
}

// ---------------------------------------------------------------- Problem

void Problem::add_noise(Vector&, RandomStream&) const {}
std::size_t Problem::required_bytes() const { return 0; }

// ---------------------------------------------------------------- MeasurementOperator

void MeasurementOperator::adjoint_transpose_apply(const Vector& v, const Matrix& M, Matrix& out) const {
  if (symmetric()) {
    adjoint_apply(v, M, out);
    return;
  }
  out.noalias() = adjoint(v).transpose() * M;
}

void MeasurementOperator::forward_factored(const FactorSet& factors, Vector& out) const {
  const Matrix X = factors.product();
  if (symmetric() && !factors.symmetric()) {
    forward(0.5 * (X + X.transpose()), out);
    return;
  }
  forward(X, out);
}

void MeasurementOperator::forward_entries(const MatrixEntries& entries, Vector& out) const {
  const MatrixShape s = shape();
  if (static_cast<double>(s.rows) * static_cast<double>(s.cols) > 1e8)
    throw Error(fmt::format("this measurement operator cannot measure the {} entries of a {} data "
                            "matrix without forming it densely; use matrix_completion",
                            entries.size(), s.describe()));
  Matrix X = Matrix::Zero(s.rows, s.cols);
  for (std::size_t e = 0; e < entries.size(); ++e) {
    X(entries.rows[e], entries.columns[e]) = entries.values[e];
    if (s.symmetric) X(entries.columns[e], entries.rows[e]) = entries.values[e];
  }
  forward(X, out);
}

void MeasurementOperator::evaluate(const Vector& observations, const Loss& loss,
                                   std::span<FactorEvaluation> items) const {
  Vector residual, derivative;
  for (FactorEvaluation& item : items) {
    const FactorSet& factors = *item.factors;
    forward_factored(factors, residual);
    residual -= observations;
    derivative.resize(residual.size());
    item.value = loss.evaluate_observed(residual, observations, derivative);
    if (!item.adjoint_products) continue;
    FactorSet& out = *item.adjoint_products;
    out.resize(factors.shape());
    if (factors.symmetric()) {
      adjoint_apply(derivative, factors.left(), out.left());
    } else {
      adjoint_apply(derivative, factors.right(), out.left());
      adjoint_transpose_apply(derivative, factors.left(), out.right());
    }
  }
}

Matrix MeasurementOperator::adjoint(const Vector& v) const {
  const MatrixShape s = shape();
  Matrix result(s.rows, s.cols);
  adjoint_apply(v, Matrix::Identity(s.cols, s.cols), result);
  return result;
}

// ---------------------------------------------------------------- MeasurementModel

std::size_t MeasurementModel::required_bytes(const MatrixShape&) const { return 0; }
bool MeasurementModel::isometric_in_expectation(const MatrixShape&) const { return false; }
bool MeasurementModel::shares_passes() const { return false; }

// ---------------------------------------------------------------- Metric

std::vector<std::string> Metric::summary_columns() const { return {}; }
void Metric::summarize(const MetricContext&, double*) {}
bool Metric::observes_every_iteration() const { return false; }
void Metric::observe(const MetricContext&) {}

}  // namespace ncvx
