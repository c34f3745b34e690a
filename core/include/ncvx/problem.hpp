#pragma once
// A problem instance of PAPER.md section 1.
//
// Ground truth X* = Q diag(sigma) Q^T = U* U*^T, with Q (n x r) orthonormal
// from the QR factorization of a Gaussian n x r matrix and
//
//   linear:     sigma_i = 1 + (i - 1) / (r - 1) * (1/kappa - 1)
//   geometric:  sigma_i = kappa^{-(i - 1) / (r - 1)}
//
// so sigma_1 = 1 = |X*| and sigma_r = 1/kappa. The observations are
// y = A(X*) + noise * xi with xi ~ N(0, I_m).
//
// Random streams (random_stream.hpp): Q from (seed, "ground_truth"), A from
// (seed, "measurement"), xi from (seed, "noise"). Changing the measurement
// model therefore leaves X* unchanged.

#include <memory>
#include <string>
#include <vector>

#include <cstdint>

#include "ncvx/measurement_operator.hpp"
#include "ncvx/parameters.hpp"

namespace ncvx {

struct ProblemSpec {
  Index dimension = 40;         // n
  Index rank = 2;               // r
  double condition_number = 2;  // kappa = sigma_1 / sigma_r
  std::string spectrum = "linear";
  double noise = 0.0;           // standard deviation of the additive noise on y

  /// The declarations of the `problem:` section of a config.
  static std::vector<ParameterSpec> parameters();
  static ProblemSpec from(const ParameterValues& values);
};

/// The eigenvalues sigma_1 >= ... >= sigma_r of X* for a spec.
Vector spectrum_of(const ProblemSpec& spec);

class ProblemInstance {
 public:
  /// Draws X* from (seed, "ground_truth") and the noise from (seed, "noise");
  /// `measurement` is the operator already drawn from (seed, "measurement").
  ProblemInstance(const ProblemSpec& spec, std::shared_ptr<const MeasurementOperator> measurement,
                  std::uint64_t seed);

  const ProblemSpec& spec() const { return spec_; }
  Index dimension() const { return spec_.dimension; }
  const Matrix& ground_truth_factor() const { return factor_; }  // U* (n x r)
  const Matrix& eigenvectors() const { return eigenvectors_; }   // Q = V_X (n x r)
  const Vector& eigenvalues() const { return eigenvalues_; }     // sigma
  const MeasurementOperator& measurement() const { return *measurement_; }
  const Vector& observations() const { return observations_; }

  /// |X*|_F
  double ground_truth_norm() const { return eigenvalues_.norm(); }

  /// test_error = |U U^T - X*|_F / |X*|_F, computed without forming n x n
  /// matrices and without cancellation: U U^T - X* = B J B^T with
  /// B = [U, U*], J = diag(I, -I); with B = QR, |B J B^T|_F = |R J R^T|_F.
  double test_error(const Matrix& factor) const;

 private:
  ProblemSpec spec_;
  Matrix eigenvectors_;
  Vector eigenvalues_;
  Matrix factor_;
  std::shared_ptr<const MeasurementOperator> measurement_;
  Vector observations_;
};

}  // namespace ncvx
