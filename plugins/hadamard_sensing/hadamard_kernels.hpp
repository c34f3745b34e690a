#pragma once
// The passes of structured sensing on a p x k matrix stored as slices: slice s
// holds columns 32 s .. 32 s + count - 1 of every row, row after row, in one
// contiguous block (count = min(32, k - 32 s)), so a pass over one slice keeps
// it in the core's cache while every sampled coordinate reads it.
//
//   transform_slice   x <- (H x) / sqrt(p) for every column of one slice (H the
//                     Walsh-Hadamard matrix; butterflies in the order of the
//                     radix-2 transform, stage by stage)
//   slice_products    out_i += <P_r_i, Q_c_i> over one slice (four lanes, then
//                     (l0 + l1) + (l2 + l3); the symmetric model's mirrored
//                     form 0.5 (<P_r, Q_c> + <P_c, Q_r>))
//   slice_gather      W_x = sum_e coefficient_e Q_source_e over one slice, for
//                     every target row x in the order of its entries
//
// Every number is defined by the source's order of operations: the kernels
// are compiled without floating-point contraction, in an AVX2 and a baseline
// copy that give the same bits, and threads split only slices or coordinates.

#include <vector>

#include <ncvx/types.hpp>

namespace ncvx::hadamard {

/// Columns of one slice.
constexpr Index kSlice = 32;

/// Entries the gather looks ahead to prefetch their rows.
constexpr int kLookAhead = 8;

/// The sampled sparse matrix, row by row: the entries of target row x are
/// start[x] .. start[x + 1] - 1, in coordinate order; entry e reads row
/// source[e] of the other factor. `source` has kLookAhead more entries (0).
struct Adjacency {
  std::vector<int> start, source, coordinate;
};

/// In place: every column of one slice (p rows of `count` doubles, p a power
/// of two) becomes H x * normalization.
void transform_slice(double* block, Index p, Index count, double normalization);

/// out[i] += <a_rows[i], b_cols[i]> (or the mirrored form) for i in [begin, end),
/// a and b one slice each (rows of `count` doubles).
void slice_products(const double* a, const double* b, Index count, const int* rows, const int* cols, bool mirrored,
                    Index begin, Index end, double* out);

/// w[x] = sum over x's entries e of coefficient[e] * q[source[e]], for every row
/// x of the adjacency (w: one slice of its rows, written whole).
void slice_gather(const double* q, Index count, const Adjacency& adjacency, const double* coefficient, double* w);

}  // namespace ncvx::hadamard
