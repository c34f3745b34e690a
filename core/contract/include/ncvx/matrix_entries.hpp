#pragma once
// Entries of a sparse matrix: (row_e, column_e, value_e), e = 0..size-1,
// 0-based, at most one entry per position. Data problems give their observed
// entries and held-out entries this way (ratings, a matrix with missing
// values); an entry of a symmetric problem stands for both (i, j) and (j, i).

#include <cstdint>
#include <vector>

#include "ncvx/types.hpp"

namespace ncvx {

struct MatrixEntries {
  std::vector<std::int32_t> rows;
  std::vector<std::int32_t> columns;
  std::vector<double> values;

  std::size_t size() const { return values.size(); }
  void reserve(std::size_t count);
  void add(Index row, Index column, double value);
};

}  // namespace ncvx
