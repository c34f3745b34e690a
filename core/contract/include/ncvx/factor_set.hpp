#pragma once
// A factor set: the unknowns of a factored method and the way they make X.
//
//   symmetric    F = {U},     X = U U^T,   U in R^{n x k}
//   asymmetric   F = {U, V},  X = U V^T,   U in R^{n1 x k}, V in R^{n2 x k}
//
// k is the width. The gradient of the objective with respect to every factor
// is again a FactorSet of the same shape (objective.hpp), so an optimizer's
// update reads as the mathematics, whatever the factorization:
//
//   objective.value_and_gradient(factors, gradient);
//   factors -= step * gradient;                     // U <- U - mu grad_U f, V <- V - mu grad_V f
//
// and an optimizer that needs one factor at a time (ScaledGD's
// preconditioner) uses left() and right(); for a symmetric set right() is
// U itself. Factors are indexed 0 (U) and 1 (V); size() is 1 or 2.

#include <array>
#include <cstddef>

#include "ncvx/types.hpp"

namespace ncvx {

/// Sizes of a factor set: U is rows x width, and V (asymmetric) cols x width.
struct FactorShape {
  Index rows = 0;
  Index cols = 0;
  Index width = 0;
  bool symmetric = true;

  friend bool operator==(const FactorShape&, const FactorShape&) = default;
};

class FactorSet;

/// a * F, evaluated where it is used (no temporary set).
struct ScaledFactorSet {
  double scale;
  const FactorSet& factors;
};

class FactorSet {
 public:
  FactorSet() = default;
  /// Symmetric: X = U U^T.
  explicit FactorSet(Matrix U);
  /// Asymmetric: X = U V^T (U and V must have the same number of columns).
  FactorSet(Matrix U, Matrix V);
  /// Zeros of the given shape.
  static FactorSet zeros(const FactorShape& shape);

  bool symmetric() const { return count_ == 1; }
  std::size_t size() const { return count_; }
  Index width() const { return parts_[0].cols(); }
  FactorShape shape() const;

  Matrix& operator[](std::size_t i) { return parts_[i]; }
  const Matrix& operator[](std::size_t i) const { return parts_[i]; }
  Matrix& left() { return parts_[0]; }
  const Matrix& left() const { return parts_[0]; }
  /// V, or U for a symmetric set.
  Matrix& right() { return parts_[count_ - 1]; }
  const Matrix& right() const { return parts_[count_ - 1]; }

  /// Resizes to `shape` (contents unspecified when the size changes).
  void resize(const FactorShape& shape);
  void set_zero();

  // Arithmetic, factor by factor. Both operands must have the same shape.
  FactorSet& operator+=(const FactorSet& other);
  FactorSet& operator-=(const FactorSet& other);
  FactorSet& operator+=(const ScaledFactorSet& other);  ///< F += a G
  FactorSet& operator-=(const ScaledFactorSet& other);  ///< F -= a G, as U -= a * G per factor
  FactorSet& operator*=(double scale);
  FactorSet operator+(const FactorSet& other) const;
  FactorSet operator-(const FactorSet& other) const;
  FactorSet operator-() const;

  /// Sum over factors of the entrywise inner product.
  double dot(const FactorSet& other) const;
  /// Frobenius norm over all factors: sqrt(|U|_F^2 + |V|_F^2).
  double norm() const;
  double squared_norm() const;
  bool all_finite() const;

  /// X = U U^T or U V^T as a dense n1 x n2 matrix (small problems, tests).
  Matrix product() const;

  friend bool operator==(const FactorSet& a, const FactorSet& b);

 private:
  std::array<Matrix, 2> parts_;
  std::size_t count_ = 1;
};

inline ScaledFactorSet operator*(double scale, const FactorSet& factors) { return {scale, factors}; }
FactorSet operator*(double scale, FactorSet&& factors);

}  // namespace ncvx
