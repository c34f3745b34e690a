#pragma once
// The fused pass of matrix completion over a segment of Omega, stored in
// tiles of side x side entries (tile_side): tile t holds measurements
// tiles[t].first .. tiles[t+1].first - 1, each stored as its row and column
// offsets from the tile's corner (2 x 16 bits). Tiles come column block after
// column block, row blocks in order within; observations column after column
// within a tile. A tile's rows of U, V and of the accumulators (4 x side
// rows) stay in the core's cache while its observations are visited. For
// each block of observations o = (i, j) with weight w_o:
//
//   r_o  = w_o X_ij - y_o, X_ij = <U_i, V_j>        (or (X_ij + X_ji)/2 for a
//                                                    symmetric shape fitted by U V^T)
//   d    = l'(r) on the block, value += L(r)         (the loss, one call per block)
//   G_L += d_o w_o d(X_ij)/dU,  G_R += d_o w_o d(X_ij)/dV   (the adjoint products)
//
// U, V and the accumulators are row-major with a stride of 4c doubles (rows
// of k numbers padded with zeros to whole groups of four lanes). A dot
// product keeps four lanes over the groups, then adds (lane0 + lane1) +
// (lane2 + lane3); an accumulator row receives its contributions in the
// order of the observations. Compiled without contraction, the AVX2 and the
// baseline copies agree bit for bit.

#include <cstdint>

#include <ncvx/loss.hpp>
#include <ncvx/types.hpp>

namespace ncvx::completion {

enum class Factoring {
  one_factor,            ///< X = U U^T (symmetric shape)
  two_factors,           ///< X = U V^T on a rectangular shape
  symmetric_two_factors  ///< a symmetric shape fitted by U V^T: X_ij read as (X_ij + X_ji) / 2
};

/// Side of a tile for Omega drawn with probability p per entry: 512 (4 x 512
/// rows of k <= 16 doubles fill at most 256 KiB of cache) while a tile holds
/// at least 10 000 observations on average (p >= 0.038), else 1024 or 2048,
/// whichever reaches it first (p >= 0.0095), so that a tile's rows are used
/// often enough to pay for bringing them in. Measured side by side at k = 10:
/// at p = 0.02 (n = 10^5, |Omega| = 10^8) tiles of 512, 1024 and 2048 took 557,
/// 420 and 385 ms per iteration, at p = 0.005 (n = 20 000, |Omega| = 10^6)
/// 14.1, 11.5 and 10.6 ms, while at p = 0.05 and 0.15 those of 512 were
/// 3-12% faster than those of 1024.
inline Index tile_side(double p) {
  for (const Index side : {Index{512}, Index{1024}})
    if (static_cast<double>(side) * static_cast<double>(side) * p >= 10000.0) return side;
  return 2048;  // offsets within a tile are 16 bits
}

/// One observation: its position in its tile.
struct TileOffsets {
  std::uint16_t row;
  std::uint16_t column;
};

/// A tile: its first observation and its corner.
struct Tile {
  std::int64_t first;
  std::int32_t row_base;
  std::int32_t column_base;
};

/// Omega in tiles, with the two weights of the measurements.
struct TiledOmega {
  const Tile* tiles;  ///< tile_count + 1 entries, the last one {|Omega|, 0, 0}
  Index tile_count;
  const TileOffsets* offsets;  ///< one per observation
  double diagonal_weight;      ///< w_o for i == j
  double off_diagonal_weight;  ///< w_o for i != j (the same as the diagonal one for rectangular shapes)
};

/// Rows of the factors and of the accumulators, `stride` = 4c doubles apart.
struct PaddedRows {
  const double* left;
  const double* right;  ///< == left for one factor
  double* gradient_left;   ///< nullptr: value only
  double* gradient_right;  ///< nullptr for one factor
  Index stride;
};

/// Observations first .. last - 1 of `omega`; returns the loss on them and
/// adds their contributions to the gradient rows.
double segment_pass(const TiledOmega& omega, Index first, Index last, const double* observations,
                    Factoring factoring, const PaddedRows& rows, const Loss& loss);

}  // namespace ncvx::completion
