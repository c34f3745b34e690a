#pragma once
// What the spectral initializers (spectral, truncated_spectral) share: the
// operator x -> A*(v) x applied through a measurement operator (the matrix
// A*(v) is never formed), for the Lanczos solver of dense_solvers.hpp.

#include <ncvx/measurement_operator.hpp>

#include "dense_solvers.hpp"

namespace ncvx::lanczos {

/// x -> A*(v) x.
class AdjointOperator final : public solvers::SymmetricOperator {
 public:
  AdjointOperator(const MeasurementOperator& measurement, const Vector& v) : measurement_(measurement), v_(v) {}
  Index size() const override { return measurement_.rows(); }
  void apply(const double* in, double* out) const override {
    const Matrix x = Eigen::Map<const Matrix>(in, size(), 1);
    Matrix y;
    measurement_.adjoint_apply(v_, x, y);
    Eigen::Map<Matrix>(out, size(), 1) = y;
  }

 private:
  const MeasurementOperator& measurement_;
  const Vector& v_;
};

}  // namespace ncvx::lanczos
