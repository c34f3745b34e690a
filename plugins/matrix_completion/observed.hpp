#pragma once
// Omega as matrix completion stores it: observations added column after
// column (rows increasing within a column) and written out in tiles, the
// order completion_kernels.hpp's segment_pass walks. Shared by the plugin and
// bench/kernels.cpp, so the kernel is measured on the plugin's own layout.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include <ncvx/matrix_shape.hpp>

#include "completion_kernels.hpp"

namespace ncvx::completion {

/// Omega in tiles (the measurement order, completion_kernels.hpp): 4 bytes
/// per observation plus 16 per non-empty tile; the weight depends only on
/// whether i == j.
struct Observed {
  Index rows = 0;           // of the matrix
  Index side = 512;         // of a tile (tile_side)
  std::vector<Tile> tiles;  // closed by {|Omega|, 0, 0}
  std::vector<TileOffsets> offsets;
  double diagonal_weight = 1.0;
  double off_diagonal_weight = 1.0;

  /// Entries observed with probability p: weights 1/sqrt(p) (sqrt(2/p) off the
  /// diagonal of a symmetric shape, svec) and tiles sized for that density;
  /// `isometric` false: weight 1, the measurement is the entry itself.
  Observed(const ncvx::MatrixShape& shape, double p, bool isometric = true)
      : rows(shape.rows),
        side(tile_side(p)),
        diagonal_weight(isometric ? 1.0 / std::sqrt(p) : 1.0),
        off_diagonal_weight(!isometric          ? 1.0
                            : shape.symmetric ? M_SQRT2 / std::sqrt(p)
                                              : 1.0 / std::sqrt(p)) {}

  double weight(Index i, Index j) const { return i == j ? diagonal_weight : off_diagonal_weight; }

  /// Appends observation (i, j); they come column after column, rows
  /// increasing within a column. A column block's tiles are written when the
  /// next block starts.
  void add(std::int32_t i, std::int32_t j) {
    if (!block_.empty() && block_.front().second / side != j / side) add_column_block();
    block_.emplace_back(i, j);
  }

  /// The tiles and weights as segment_pass reads them (after close()).
  TiledOmega tiled() const {
    return {tiles.data(), static_cast<Index>(tiles.size()) - 1, offsets.data(), diagonal_weight,
            off_diagonal_weight};
  }

  /// After the last add: the last column block, and the closing tile.
  void close() {
    add_column_block();
    tiles.push_back({static_cast<std::int64_t>(offsets.size()), 0, 0});
    // Release the column block's buffer (megabytes; nothing needs it after
    // the last add). Kept, it once held glibc's mmap threshold down.
    std::vector<std::pair<std::int32_t, std::int32_t>>().swap(block_);
  }

 private:
  std::vector<std::pair<std::int32_t, std::int32_t>> block_;  // the current column block's (row, column)

  /// Appends the observations of the current column block as its tiles in
  /// row-block order.
  void add_column_block() {
    const Index blocks = (rows + side - 1) / side;
    std::vector<std::int64_t> count(static_cast<std::size_t>(blocks) + 1, 0);
    for (const auto& [i, j] : block_) ++count[static_cast<std::size_t>(i / side) + 1];
    for (std::size_t b = 1; b < count.size(); ++b) count[b] += count[b - 1];
    const auto base = static_cast<std::int64_t>(offsets.size());
    offsets.resize(offsets.size() + block_.size());
    std::vector<std::int64_t> next(count.begin(), count.end() - 1);
    for (const auto& [i, j] : block_)
      offsets[static_cast<std::size_t>(base + next[static_cast<std::size_t>(i / side)]++)] = {
          static_cast<std::uint16_t>(i % side), static_cast<std::uint16_t>(j % side)};
    const auto column_base =
        static_cast<std::int32_t>(block_.empty() ? 0 : block_.front().second / side * side);
    for (Index b = 0; b < blocks; ++b)
      if (count[static_cast<std::size_t>(b) + 1] > count[static_cast<std::size_t>(b)])
        tiles.push_back(
            {base + count[static_cast<std::size_t>(b)], static_cast<std::int32_t>(b * side), column_base});
    block_.clear();
  }
};

}  // namespace ncvx::completion
