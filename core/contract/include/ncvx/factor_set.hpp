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
//
// Any other factorization (factorization.hpp: a deep product W_L ... W_1, a
// CP tensor [[A, B, C]]) holds its blocks in a general set, made by
// FactorSet(shape, blocks) with the FactorShape its factorization declared:
// the arithmetic above works on it block by block, so the generic optimizers
// (gd, momentum, ...) run unchanged; left() and right() do not apply
// (an optimizer that needs them refuses general shapes, optimizer.hpp).

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "ncvx/types.hpp"

namespace ncvx {

/// The size of one block of a general factor set.
struct BlockShape {
  Index rows = 0;
  Index cols = 0;

  friend bool operator==(const BlockShape&, const BlockShape&) = default;
};

/// Sizes of a factor set: U is rows x width, and V (asymmetric) cols x width.
/// A general set (another factorization) lists its blocks' sizes in `blocks`,
/// and `symmetric` is false; rows x cols is still the shape of X.
struct FactorShape {
  FactorShape() = default;
  FactorShape(Index rows_, Index cols_, Index width_, bool symmetric_, std::vector<BlockShape> blocks_ = {})
      : rows(rows_), cols(cols_), width(width_), symmetric(symmetric_), blocks(std::move(blocks_)) {}

  Index rows = 0;
  Index cols = 0;
  Index width = 0;
  bool symmetric = true;
  std::vector<BlockShape> blocks;  ///< empty for U U^T and U V^T

  /// Whether this is the shape of another factorization's blocks.
  bool general() const { return !blocks.empty(); }
  /// "U 5 x 2", "U 5 x 2, V 4 x 2", or a general set's "blocks 3 x 4, 4 x 4, 5 x 3".
  std::string describe() const;

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
  /// A general set: the blocks of another factorization, one per entry of
  /// shape.blocks and of that size (std::invalid_argument otherwise).
  FactorSet(const FactorShape& shape, std::vector<Matrix> blocks);
  /// Zeros of the given shape.
  static FactorSet zeros(const FactorShape& shape);

  bool symmetric() const { return !general_ && parts_.size() == 1; }
  /// Whether this holds another factorization's blocks (not U U^T, U V^T).
  bool general() const { return general_; }
  std::size_t size() const { return parts_.size(); }
  Index width() const { return general_ ? shape_.width : parts_[0].cols(); }
  FactorShape shape() const;
  /// As FactorShape::describe, from the factors' own sizes (V's width too).
  std::string describe() const;

  Matrix& operator[](std::size_t i) { return parts_[i]; }
  const Matrix& operator[](std::size_t i) const { return parts_[i]; }
  /// U (U U^T and U V^T; the first block of a general set).
  Matrix& left() { return parts_.front(); }
  const Matrix& left() const { return parts_.front(); }
  /// V, or U for a symmetric set (the last block of a general set).
  Matrix& right() { return parts_.back(); }
  const Matrix& right() const { return parts_.back(); }

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

  /// X = U U^T or U V^T as a dense n1 x n2 matrix (small problems, tests);
  /// a general set's product is its factorization's (std::logic_error here).
  Matrix product() const;

  friend bool operator==(const FactorSet& a, const FactorSet& b);

 private:
  std::vector<Matrix> parts_ = std::vector<Matrix>(1);
  bool general_ = false;
  FactorShape shape_;  // a general set's shape (unused otherwise)
};

inline ScaledFactorSet operator*(double scale, const FactorSet& factors) { return {scale, factors}; }
FactorSet operator*(double scale, FactorSet&& factors);

}  // namespace ncvx
