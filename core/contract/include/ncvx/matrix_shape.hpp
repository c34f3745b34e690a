#pragma once
// The shape of the matrices a problem is about: X* and every X the methods
// fit are n1 x n2, and a symmetric problem has n1 = n2 with X* = X*^T.
//
// A symmetric problem is fitted by X = U U^T (a symmetric factorization) or
// by X = U V^T (asymmetric); a rectangular one only by X = U V^T (or by any
// other factorization, factorization.hpp).
//
// An order-3 tensor T (n1 x n2 x n3) is handled as its mode-1 unfolding
//
//   X = T_(1),   n1 x (n2 n3),   X(i, j + n2 l) = T(i, j, l)   (0-based),
//
// so every measurement model on n1 x n2 matrices measures tensors too
// (completion of sampled entries, Gaussian sensing <B_i, T>); `modes` then
// holds n1, n2, n3, and factorizations of tensors (cp) read it.

#include <string>
#include <utility>
#include <vector>

#include "ncvx/types.hpp"

namespace ncvx {

struct MatrixShape {
  MatrixShape() = default;
  MatrixShape(Index rows_, Index cols_, bool symmetric_, std::vector<Index> modes_ = {})
      : rows(rows_), cols(cols_), symmetric(symmetric_), modes(std::move(modes_)) {}

  Index rows = 0;          ///< n1
  Index cols = 0;          ///< n2
  bool symmetric = false;  ///< X = X^T (then rows == cols)
  std::vector<Index> modes;  ///< n1, n2, n3 of a tensor unfolded as above; empty for a matrix

  static MatrixShape square_symmetric(Index n) { return {n, n, true, {}}; }
  static MatrixShape rectangular(Index n1, Index n2) { return {n1, n2, false, {}}; }
  /// The mode-1 unfolding of an n1 x n2 x n3 tensor.
  static MatrixShape tensor(Index n1, Index n2, Index n3) { return {n1, n2 * n3, false, {n1, n2, n3}}; }

  bool is_tensor() const { return !modes.empty(); }
  /// "40 x 40 symmetric", "100 x 80", "20 x 20 x 20 tensor"
  std::string describe() const;

  friend bool operator==(const MatrixShape&, const MatrixShape&) = default;
};

}  // namespace ncvx
