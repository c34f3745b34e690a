#pragma once
// The fused pass over a row-major m x N matrix S for K vectors x_1..x_K:
//
//   r_ji = <S_i, x_j> - y_i                        (forward, row block by row block)
//   d_j  = l'(r_j) on the block                    (the loss, via `loss`)
//   w_j += sum_{i in block} d_ji S_i               (adjoint, rows still in cache)
//
// Reading S once serves all K vectors: in blocks of four rows, or, for three
// or more vectors where the registers are 512 bits wide, in panels of eight
// rows worked through in tiles of entries that keep the vectors' and the
// accumulators' parts in L1 (sensing_kernels.cpp). Every sum has a fixed
// order that does not depend on K, on j's position or on the path taken: a
// dot product keeps four lanes over p = 0, 4, 8, ... (lane l sums p = l mod 4
// in increasing p), then adds (lane0 + lane1) + (lane2 + lane3), then the
// tail; an adjoint entry adds d_ji S_ip row after row in increasing i. This
// source is compiled without floating-point contraction, so a vector
// evaluated alone or among others gets the same bits.

#include <cstddef>
#include <functional>
#include <vector>

#include <ncvx/types.hpp>

namespace ncvx::kernels {

/// loss(j, first row of the block, its residuals, derivatives to write, rows in the block)
using BlockLoss = std::function<void(std::size_t, Index, const double*, double*, Index)>;

/// `w[j]` may be nullptr (value only). `x[j]` and `w[j]` hold N doubles.
void fused_pass(const double* S, Index m, Index N, const double* y, const std::vector<const double*>& x,
                const std::vector<double*>& w, const BlockLoss& loss);
/// The same with S stored in single precision: entries are widened to double
/// as they are read, and every product and sum is in double.
void fused_pass(const float* S, Index m, Index N, const double* y, const std::vector<const double*>& x,
                const std::vector<double*>& w, const BlockLoss& loss);

}  // namespace ncvx::kernels
