#pragma once
// A measurement operator's data in the layout a device backend reads: the
// description a GPU trajectory uploads once and runs whole trajectories on
// (docs/gpu.md). An operator that can run on a device also derives from
// DeviceDescribed; the core asks with dynamic_cast, so a plugin that does not
// is simply run on the CPU.
//
// Four layouts cover the built-in models (each A(X)_i = <B_i, X>):
//
//   dense_rows        A(X)_i = <S_i, x>,  S an m x length row-major matrix in
//                     double or float; x = svec(X_sym) (isometric packing of
//                     the symmetric part, column by column: X_00, sqrt2 X_01,
//                     X_11, sqrt2 X_02, ...) for a symmetric shape, vec(X)
//                     (column-major) otherwise.
//   regenerated_rows  the same with S_ip = normal(key, i, p) / sqrt(m) from
//                     Philox4x64-10 on the counter (i, p / 4) and two
//                     Box-Muller pairs: nothing stored but the key.
//   rank_one_rows     A(X)_i = scale a_i^T X b_i with the rows a_i (m x n1,
//                     rows_double) and b_i (m x n2, rows_right; b_i = a_i
//                     for a symmetric shape, rows_right null).
//   entries           A(X)_e = w_e X(i_e, j_e) (rectangular), or
//                     A(X)_e = w_e (X(i_e, j_e) + X(j_e, i_e)) / 2 (symmetric),
//                     with w_e the diagonal weight where i_e = j_e and the
//                     off-diagonal weight elsewhere (1/sqrt(p) and sqrt(2/p)
//                     for symmetric completion), in measurement order.
//
// The row pointers (dense_rows, rank_one_rows) refer to the operator's own
// storage and stay valid while the operator lives; entries are copied out.

#include <array>
#include <cstdint>
#include <vector>

#include "ncvx/matrix_shape.hpp"

namespace ncvx {

struct DeviceForm {
  enum class Layout { dense_rows, regenerated_rows, entries, rank_one_rows };
  Layout layout = Layout::dense_rows;
  MatrixShape shape;
  Index measurements = 0;  ///< m
  // dense_rows and regenerated_rows
  Index length = 0;                           ///< entries of a row: n(n+1)/2 or n1 n2
  const double* rows_double = nullptr;        ///< row i at rows_double + i * length (or:)
  const float* rows_single = nullptr;         ///< the same rows in float
  std::array<std::uint64_t, 2> key{};         ///< regenerated_rows: Philox key
  // rank_one_rows (rows_double holds the a_i, `length` = n1)
  const double* rows_right = nullptr;         ///< the b_i (m x n2); null: b_i = a_i
  double scale = 1.0;
  // entries
  std::vector<std::int32_t> rows, columns;    ///< (i_e, j_e), i_e <= j_e for a symmetric shape
  double diagonal_weight = 1.0, off_diagonal_weight = 1.0;
};

class DeviceDescribed {
 public:
  virtual ~DeviceDescribed();
  virtual DeviceForm device_form() const = 0;
};

}  // namespace ncvx
