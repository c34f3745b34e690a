#pragma once
// The shape of the matrices a problem is about: X* and every X the methods
// fit are n1 x n2, and a symmetric problem has n1 = n2 with X* = X*^T.
//
// A symmetric problem is fitted by X = U U^T (a symmetric factorization) or
// by X = U V^T (asymmetric); a rectangular one only by X = U V^T.

#include <string>

#include "ncvx/types.hpp"

namespace ncvx {

struct MatrixShape {
  Index rows = 0;          ///< n1
  Index cols = 0;          ///< n2
  bool symmetric = false;  ///< X = X^T (then rows == cols)

  static MatrixShape square_symmetric(Index n) { return {n, n, true}; }
  static MatrixShape rectangular(Index n1, Index n2) { return {n1, n2, false}; }

  /// "40 x 40 symmetric", "100 x 80"
  std::string describe() const;

  friend bool operator==(const MatrixShape&, const MatrixShape&) = default;
};

}  // namespace ncvx
